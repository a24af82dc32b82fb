extension Graph {
    /// The checked `train` section (SPEC §10): its data nodes resolved to `input` nodes of
    /// one batch size, the params the optimizer updates, the data order's seed.
    public struct Train: Sendable {
        /// A `.npy` file named in `data` or `eval.data`, bound to the input node it feeds.
        public struct DataFile: Sendable {
            /// The `input` node fed.
            public let node: Int
            /// As written (relative paths resolve against the graph file's folder).
            public let path: String
            /// Where the path is written.
            public let location: SourceLocation
        }

        /// The decoded section (length, shuffle, optimizer, schedule, every/keep, …).
        public let section: TrainSection
        /// `data`, in the order written.
        public let data: [DataFile]
        /// `eval.data` (the same nodes as `data`), in the order written; `nil` without `eval`.
        public let evalData: [DataFile]?
        /// The data order's seed: `train.seed`, or the graph's seed.
        public let seed: UInt32
        /// The params the optimizer updates (`backward.wrt`), in declaration order.
        public let trained: [Int]
        /// The batch size B: the first dimension N shared by every data node.
        public let batchSize: Int
    }
}

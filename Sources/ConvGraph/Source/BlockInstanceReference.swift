/// One block instance a position was expanded for (SPEC §11.1): errors at positions
/// inside a block name the instance with a note, `FILE:LINE:COL: note: in instance 'stem'
/// of block 'conv_bn_relu'`, pointing at the line that uses the block.
public struct BlockInstanceReference: Hashable, Sendable {
    /// The instance's expanded name (`stem`, `stage1/1`, `stage2/0/down`).
    public var instance: String
    /// The block it instantiates.
    public var block: String
    /// Where the instance is declared (its key under `nodes:`).
    public var location: SourceLocation

    /// A reference to instance `instance` of block `block`, declared at `location`.
    public init(instance: String, block: String, location: SourceLocation) {
        self.instance = instance
        self.block = block
        self.location = location
    }

    /// The note added to every diagnostic at a position inside this instance.
    public var note: Diagnostic.Note {
        var at = location
        at.instances = []
        return Diagnostic.Note("in instance '\(instance)' of block '\(block)'", at: at)
    }
}

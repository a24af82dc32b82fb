extension RunReport {
    /// The report's whole style sheet, inline. No `@import`, no `url(…)`, no web fonts: the
    /// system font stack, so the page needs nothing beyond itself. Free of `<` and `&`, so
    /// the document stays well-formed XML.
    static let styleSheet = """
        :root { --ink: #1F2933; --muted: #5B6472; --faint: #8C95A3; --line: #E3E7EC; --card: #FFFFFF;
          --page: #F4F6F8; --accent: #0072B2; --good: #0B7A53; --warn: #B45309; --bad: #B42318;
          --mono: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", "DejaVu Sans Mono", monospace; }
        * { box-sizing: border-box; }
        html { background: var(--page); }
        body { margin: 0; color: var(--ink); font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue",
          "Noto Sans", "Liberation Sans", "DejaVu Sans", Arial, sans-serif; }
        .wrap { max-width: 1200px; margin: 0 auto; padding: 0 32px; }
        header.top { background: #14213D; color: #F8FAFC; padding: 28px 0 24px; }
        header.top .eyebrow { margin: 0; font-size: 12px; letter-spacing: 0.12em; text-transform: uppercase; color: #A9B8D0; }
        header.top h1 { margin: 4px 0 10px; font-size: 32px; line-height: 1.15; font-weight: 700; word-break: break-all; }
        header.top .where { margin: 10px 0 0; font: 13px var(--mono); color: #C9D4E5; word-break: break-all; }
        .badges { display: flex; flex-wrap: wrap; gap: 8px; }
        .badge { display: inline-block; padding: 2px 10px; border-radius: 999px; font-size: 12px; font-weight: 600;
          background: rgba(255,255,255,0.12); color: #E5ECF6; border: 1px solid rgba(255,255,255,0.18); }
        .badge.ok { background: #0B7A53; border-color: #0B7A53; color: #FFFFFF; }
        .badge.train { background: #B45309; border-color: #B45309; color: #FFFFFF; }
        nav.toc { display: flex; gap: 20px; padding: 14px 0 0; font-size: 14px; }
        nav.toc a { color: var(--accent); text-decoration: none; font-weight: 600; }
        main { padding-bottom: 48px; }
        section { margin-top: 28px; }
        h2 { font-size: 20px; margin: 0 0 12px; }
        h3 { font-size: 15px; margin: 0; }
        .card { background: var(--card); border: 1px solid var(--line); border-radius: 12px; padding: 18px 20px;
          box-shadow: 0 1px 2px rgba(16,24,40,0.04); }
        .figures { display: grid; grid-template-columns: repeat(auto-fit, minmax(160px, 1fr)); gap: 14px; }
        .figure { background: var(--card); border: 1px solid var(--line); border-radius: 12px; padding: 14px 16px; }
        .figure .label { font-size: 12px; color: var(--muted); text-transform: uppercase; letter-spacing: 0.06em; }
        .figure .value { font-size: 24px; font-weight: 700; margin-top: 2px; font-variant-numeric: tabular-nums; }
        .figure .sub { font-size: 12px; color: var(--faint); }
        .legend { display: flex; flex-wrap: wrap; gap: 16px; font-size: 13px; color: var(--muted); margin: 0 0 10px; }
        .swatch { display: inline-block; width: 12px; height: 12px; border-radius: 3px; margin-right: 6px; vertical-align: -1px; border: 1.5px solid; }
        .dag-frame { overflow-x: auto; text-align: center; }
        .dag-frame svg, .curves svg { max-width: 100%; height: auto; }
        .curves { text-align: center; }
        .note { color: var(--warn); font-size: 14px; }
        table { border-collapse: collapse; width: 100%; font-size: 14px; }
        th, td { text-align: left; padding: 7px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
        th { color: var(--muted); font-weight: 600; font-size: 12px; text-transform: uppercase; letter-spacing: 0.05em; }
        table.kv th { width: 190px; text-transform: none; letter-spacing: 0; font-size: 14px; }
        table.evaluations { max-width: 820px; margin: 0 auto; }
        td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
        .mono { font-family: var(--mono); font-size: 13px; word-break: break-all; }
        .muted { color: var(--faint); }
        .tensors { display: grid; grid-template-columns: repeat(auto-fill, minmax(540px, 1fr)); gap: 16px; }
        .tensor header { display: flex; align-items: baseline; gap: 10px; margin-bottom: 10px; }
        .tensor header .file { margin-left: auto; color: var(--faint); }
        .kind { font-size: 11px; font-weight: 700; text-transform: uppercase; letter-spacing: 0.06em; padding: 1px 8px; border-radius: 999px; }
        .kind.value { background: #E6F0FA; color: #005A8C; }
        .kind.grad { background: #F3E8FF; color: #6B21A8; }
        .kind.param { background: #FFF4DB; color: #8A5A00; }
        .tensor .body { display: flex; gap: 18px; align-items: flex-start; }
        .tensor table.stats { width: auto; min-width: 170px; font-size: 13px; }
        .tensor table.stats th { font-size: 12px; padding: 3px 12px 3px 0; text-transform: none; letter-spacing: 0; }
        .tensor table.stats td { padding: 3px 0; text-align: right; font-variant-numeric: tabular-nums; font-family: var(--mono); font-size: 12.5px; }
        .tensor .bad { color: var(--bad); font-weight: 700; }
        details summary { cursor: pointer; color: var(--accent); font-weight: 600; margin-top: 12px; }
        pre { background: #0F172A; color: #E2E8F0; padding: 14px 16px; border-radius: 10px; overflow: auto; font: 12px/1.45 var(--mono); max-height: 480px; }
        footer { color: var(--faint); font-size: 12px; padding: 24px 0 32px; }
        """
}

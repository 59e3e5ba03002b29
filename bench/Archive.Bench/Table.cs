using System.Text;

namespace Archive.Bench;

/// <summary>Prints the final figures of a benchmark as an aligned Markdown table (paste into docs/benchmarks.md).</summary>
internal sealed class Table
{
    private readonly string[] _headers;
    private readonly List<string[]> _rows = [];

    public Table(params string[] headers) => _headers = headers;

    public void Add(params object?[] cells) => _rows.Add(cells.Select(c => c switch
    {
        null => "",
        double d => d.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture),
        float f => f.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture),
        IFormattable x => x.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => c.ToString() ?? "",
    }).ToArray());

    public override string ToString()
    {
        var widths = _headers.Select((h, i) => Math.Max(h.Length, _rows.Count == 0 ? 0 : _rows.Max(r => i < r.Length ? r[i].Length : 0))).ToArray();
        var sb = new StringBuilder();
        void Line(IReadOnlyList<string> cells) => sb.Append("| ").AppendJoin(" | ", widths.Select((w, i) => (i < cells.Count ? cells[i] : "").PadRight(w))).AppendLine(" |");
        Line(_headers);
        sb.Append('|').AppendJoin("|", widths.Select(w => new string('-', w + 2))).AppendLine("|");
        foreach (var r in _rows)
        {
            Line(r);
        }

        return sb.ToString();
    }

    /// <summary>Machine description for the header of a result table.</summary>
    public static string Machine()
        => $"{Environment.ProcessorCount} cores, {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024 * 1024 * 1024.0):0.0} GiB, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}";
}

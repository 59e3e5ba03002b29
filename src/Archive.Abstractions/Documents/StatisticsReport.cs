namespace Archive.Documents;

/// <summary>One line of a sheet of a statistics report: a label and its figures (null prints an empty cell).</summary>
/// <param name="Label">The first column (e.g. a fonds, a year, <c>Vĩnh viễn</c>).</param>
/// <param name="Values">The figures, one per column after the first.</param>
/// <param name="IsTotal">A total line (printed bold).</param>
public sealed record StatisticsReportRow(string Label, IReadOnlyList<decimal?> Values, bool IsTotal = false);

/// <summary>One sheet of a statistics report: a breakdown as a table.</summary>
public sealed record StatisticsReportSheet
{
    /// <summary>Sheet name (at most 31 characters, none of <c>[]:*?/\</c>), e.g. <c>Theo phông</c>.</summary>
    public required string Name { get; init; }

    /// <summary>Title printed above the table.</summary>
    public required string Title { get; init; }

    /// <summary>Column headings, the label column first.</summary>
    public required IReadOnlyList<string> ColumnTitles { get; init; }

    /// <summary>The lines.</summary>
    public required IReadOnlyList<StatisticsReportRow> Rows { get; init; }
}

/// <summary>A statistics report (báo cáo thống kê): the heading of the agency, a title, and one sheet per breakdown.</summary>
public sealed record StatisticsReportDocument
{
    /// <summary>Agency and national headings.</summary>
    public required DocumentHeading Heading { get; init; }

    /// <summary>Title, e.g. <c>BÁO CÁO THỐNG KÊ TÀI LIỆU LƯU TRỮ</c>.</summary>
    public required string Title { get; init; }

    /// <summary>Lines under the title (filters applied).</summary>
    public IReadOnlyList<string> Subtitles { get; init; } = [];

    /// <summary>The sheets, in order.</summary>
    public required IReadOnlyList<StatisticsReportSheet> Sheets { get; init; }
}

/// <summary>Writes a statistics report as an XLSX workbook (one sheet per breakdown, Vietnamese headings).</summary>
/// <remarks>The output stream is writable, may be non-seekable and is left open.</remarks>
public interface IStatisticsReportWriter
{
    /// <summary>Writes <paramref name="document"/> into <paramref name="output"/>.</summary>
    void WriteStatisticsXlsx(StatisticsReportDocument document, Stream output);
}

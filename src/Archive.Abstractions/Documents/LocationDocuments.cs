namespace Archive.Documents;

/// <summary>
/// The label on one archival box (nhãn hộp): agency and fonds, box number, the first and last record file in it, the
/// years and the retention of what it holds.
/// </summary>
public sealed record BoxLabel
{
    /// <summary>Tên cơ quan (the agency holding the records).</summary>
    public required string AgencyName { get; init; }

    /// <summary>Tên phông (one or more fonds, joined), e.g. <c>Phông Bộ Nội vụ</c>.</summary>
    public required string FondsName { get; init; }

    /// <summary>Hộp số.</summary>
    public required string BoxNumber { get; init; }

    /// <summary>Where the box stands: kho, giá, khoang (printed small under the number).</summary>
    public string? Place { get; init; }

    /// <summary>Từ hồ sơ số — the first record file's number (notation).</summary>
    public string? FirstFile { get; init; }

    /// <summary>Đến hồ sơ số — the last record file's number (notation).</summary>
    public string? LastFile { get; init; }

    /// <summary>How many record files the box holds.</summary>
    public int Files { get; init; }

    /// <summary>Năm: the years of the records (e.g. <c>2015</c> or <c>2015 - 2018</c>).</summary>
    public string? Years { get; init; }

    /// <summary>Thời hạn lưu trữ (e.g. <c>Vĩnh viễn</c>, <c>10 năm</c>, or several joined).</summary>
    public string? Retention { get; init; }
}

/// <summary>The box labels of a storage room (or of some of its boxes), one label per box, printed two to a page.</summary>
public sealed record BoxLabelsDocument
{
    /// <summary>The agency whose storage it is (names the document; the labels carry their own agency).</summary>
    public required string AgencyName { get; init; }

    /// <summary>The storage room, e.g. <c>Kho lưu trữ tầng 2 (H49-K01)</c>.</summary>
    public required string RoomName { get; init; }
}

/// <summary>One row of a location report (báo cáo vị trí): where one record file is kept.</summary>
public sealed record LocationReportRow
{
    /// <summary>Mã kho.</summary>
    public required string RoomCode { get; init; }

    /// <summary>Giá.</summary>
    public string? Shelf { get; init; }

    /// <summary>Khoang.</summary>
    public string? Compartment { get; init; }

    /// <summary>Hộp số.</summary>
    public required string BoxNumber { get; init; }

    /// <summary>Số thứ tự của hồ sơ trong hộp, when numbered.</summary>
    public int? PositionInBox { get; init; }

    /// <summary>Số, ký hiệu hồ sơ (file notation).</summary>
    public required string FileNotation { get; init; }

    /// <summary>Mã hồ sơ (file code).</summary>
    public required string FileCode { get; init; }

    /// <summary>Tiêu đề hồ sơ.</summary>
    public required string Title { get; init; }

    /// <summary>Thời gian (the years of the record file, e.g. <c>2015</c> or <c>2015 - 2016</c>).</summary>
    public string? Years { get; init; }

    /// <summary>Thời hạn lưu trữ.</summary>
    public string? Retention { get; init; }
}

/// <summary>A location report (báo cáo vị trí hồ sơ): kho / giá / khoang / hộp / hồ sơ, in shelf order.</summary>
public sealed record LocationReportDocument
{
    /// <summary>The heading block (the agency whose storage it is).</summary>
    public required DocumentHeading Heading { get; init; }

    /// <summary>Lines under the title (the room, its address).</summary>
    public IReadOnlyList<string> Subtitles { get; init; } = [];

    /// <summary>Signature blocks under the table.</summary>
    public IReadOnlyList<Signature> Signatures { get; init; } = [];

    /// <summary>The column titles of the report, in order (kho, giá, khoang, hộp, số thứ tự, hồ sơ số, tiêu đề, thời gian, thời hạn).</summary>
    public static IReadOnlyList<string> ColumnTitles { get; } =
        ["STT", "Kho", "Giá", "Khoang", "Hộp số", "Số thứ tự trong hộp", "Số, ký hiệu hồ sơ", "Tiêu đề hồ sơ", "Thời gian", "Thời hạn lưu trữ"];
}

/// <summary>What a location report holds: its rows and the distinct boxes they are in.</summary>
/// <param name="Files">Rows (record files) written.</param>
/// <param name="Boxes">Distinct boxes (room and box number) among them.</param>
public sealed record LocationReportTotals(int Files, int Boxes);

/// <summary>
/// Writes the papers of physical locations as printable Office files with Vietnamese headings: box labels (nhãn hộp,
/// DOCX) and the location report (báo cáo vị trí, XLSX and DOCX). Rows come as an <see cref="IEnumerable{T}"/> and are
/// written one at a time; the output stream is writable, may be non-seekable and is left open. Implemented by the
/// package <c>Archive.Documents</c> (<c>AddOpenXmlDocuments()</c>).
/// </summary>
public interface ILocationDocumentWriter
{
    /// <summary>Writes the box labels, one per box (two to an A4 page), as a DOCX document.</summary>
    /// <returns>The number of labels written.</returns>
    int WriteBoxLabelsDocx(BoxLabelsDocument document, IEnumerable<BoxLabel> labels, Stream output);

    /// <summary>Writes the location report as an XLSX workbook.</summary>
    /// <returns>What was written.</returns>
    LocationReportTotals WriteLocationReportXlsx(LocationReportDocument document, IEnumerable<LocationReportRow> rows, Stream output);

    /// <summary>Writes the location report as a DOCX document (landscape A4).</summary>
    /// <returns>What was written.</returns>
    LocationReportTotals WriteLocationReportDocx(LocationReportDocument document, IEnumerable<LocationReportRow> rows, Stream output);
}

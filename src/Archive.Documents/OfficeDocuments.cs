namespace Archive.Documents;

/// <summary>
/// The official documents of a handover (bàn giao) and of a transfer to the Historical Archives (nộp lưu), as
/// printable Office files with Vietnamese headings: A4, Times New Roman, the national heading block, column headings
/// repeated on every printed page, page numbers, signature blocks.
/// </summary>
/// <remarks>
/// <para>Catalogue rows are taken from an <see cref="IEnumerable{T}"/> and written one at a time, straight into the
/// zip of the output: memory does not grow with the number of rows, so a catalogue of 100 000 files can be written
/// from a database cursor. Totals (in figures and in words) are computed on the way and returned.</para>
/// <para>The output stream must be writable; it may be non-seekable (a network or HTTP response stream). It is left
/// open. Every method is synchronous and writes the whole document before returning.</para>
/// </remarks>
public static class OfficeDocuments
{
    /// <summary>Media type of an XLSX workbook.</summary>
    public const string XlsxMediaType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    /// <summary>Media type of a DOCX document.</summary>
    public const string DocxMediaType = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

    /// <summary>
    /// Writes a catalogue (mục lục hồ sơ, danh sách hồ sơ chưa giải quyết xong, mục lục hồ sơ tài liệu nộp lưu —
    /// see <see cref="CatalogueDocument.Kind"/>) as an XLSX workbook: one sheet, landscape A4 fitted to the page
    /// width, dates as real dates, sheets and pages as numbers.
    /// </summary>
    /// <returns>The totals written under the rows.</returns>
    public static CatalogueTotals WriteCatalogueXlsx(CatalogueDocument document, IEnumerable<CatalogueEntry> entries, Stream output)
    {
        Check(document, entries, output);
        return XlsxCatalogueWriter.Write(document, entries, output);
    }

    /// <summary>Writes a catalogue as a DOCX document (landscape A4, the table's heading rows repeated on every page).</summary>
    /// <returns>The totals written under the rows.</returns>
    public static CatalogueTotals WriteCatalogueDocx(CatalogueDocument document, IEnumerable<CatalogueEntry> entries, Stream output)
    {
        Check(document, entries, output);
        return DocxCatalogueWriter.Write(document, entries, output);
    }

    /// <summary>Writes the handover record (biên bản giao nhận hồ sơ, tài liệu) as a DOCX document (portrait A4).</summary>
    public static void WriteHandoverRecordDocx(HandoverRecordDocument document, Stream output)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(output);
        CheckRecord(document);
        DocxRecordWriter.Write(document, output);
    }

    /// <summary>Writes the transfer record (biên bản thu nộp hồ sơ, tài liệu vào Lưu trữ lịch sử) as a DOCX document (portrait A4).</summary>
    public static void WriteTransferRecordDocx(TransferRecordDocument document, Stream output)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(output);
        CheckRecord(document);
        DocxRecordWriter.Write(document, output);
    }

    /// <summary>Writes the explanatory note of a destruction (bản thuyết minh tài liệu hết thời hạn lưu trữ) as a DOCX document (portrait A4).</summary>
    public static void WriteDestructionNoteDocx(DestructionNoteDocument document, Stream output)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(document.Heading);
        ArgumentException.ThrowIfNullOrWhiteSpace(document.Heading.AgencyName, "document.Heading.AgencyName");
        ArgumentException.ThrowIfNullOrWhiteSpace(document.AgencyName, "document.AgencyName");
        if (document.Reviewed < 0 || document.Kept < 0 || document.ToDestroy < 0 || document.Pages < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(document), "Counts are never negative.");
        }

        DocxDestructionWriters.WriteNote(document, output);
    }

    /// <summary>Writes the destruction record (biên bản hủy tài liệu hết thời hạn lưu trữ) as a DOCX document (portrait A4).</summary>
    public static void WriteDestructionRecordDocx(DestructionRecordDocument document, Stream output)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(document.Heading);
        ArgumentException.ThrowIfNullOrWhiteSpace(document.Heading.AgencyName, "document.Heading.AgencyName");
        ArgumentNullException.ThrowIfNull(document.Handing);
        ArgumentNullException.ThrowIfNull(document.Destroying);
        ArgumentException.ThrowIfNullOrWhiteSpace(document.RecordsBlockName, "document.RecordsBlockName");
        ArgumentException.ThrowIfNullOrWhiteSpace(document.Method, "document.Method");
        if (document.Copies < 1)
        {
            throw new ArgumentOutOfRangeException("document.Copies", document.Copies, "A record is made in at least one copy (normally two).");
        }

        if (document.Files < 0 || document.Documents < 0 || document.Pages < 0 || document.DigitalFiles < 0 || document.Bytes < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(document), "Counts are never negative.");
        }

        DocxDestructionWriters.WriteRecord(document, output);
    }

    private static void Check(CatalogueDocument document, IEnumerable<CatalogueEntry> entries, Stream output)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(document.Heading);
        ArgumentException.ThrowIfNullOrWhiteSpace(document.Heading.AgencyName, "document.Heading.AgencyName");
    }

    private static void CheckRecord(DeliveryRecordDocument document)
    {
        ArgumentNullException.ThrowIfNull(document.Heading);
        ArgumentException.ThrowIfNullOrWhiteSpace(document.Heading.AgencyName, "document.Heading.AgencyName");
        ArgumentNullException.ThrowIfNull(document.Handing);
        ArgumentNullException.ThrowIfNull(document.Receiving);
        ArgumentException.ThrowIfNullOrWhiteSpace(document.RecordsBlockName, "document.RecordsBlockName");
        if (document.Copies < 1)
        {
            throw new ArgumentOutOfRangeException("document.Copies", document.Copies, "A record is made in at least one copy (normally two).");
        }
    }
}

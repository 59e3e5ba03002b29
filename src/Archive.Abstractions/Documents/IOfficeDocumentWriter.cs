namespace Archive.Documents;

/// <summary>
/// Writes the official handover and transfer documents (mục lục hồ sơ, danh sách hồ sơ chưa giải quyết xong,
/// biên bản giao nhận, mục lục hồ sơ tài liệu nộp lưu, biên bản thu nộp) and the destruction papers (danh mục, thuyết
/// minh and biên bản hủy tài liệu hết thời hạn lưu trữ) as printable Office files. The engine maps
/// its data onto the document model of this namespace and calls this contract; the package <c>Archive.Documents</c>
/// implements it with OpenXml (<c>builder.AddOpenXmlDocuments()</c>, included in <c>AddEmbeddedDefaults()</c>).
/// </summary>
/// <remarks>
/// Catalogue rows come as an <see cref="IEnumerable{T}"/> and are expected to be written one at a time (memory
/// should not grow with the number of rows). The output stream is writable, may be non-seekable and is left open;
/// each method writes the whole document before returning.
/// </remarks>
public interface IOfficeDocumentWriter
{
    /// <summary>Writes a catalogue (see <see cref="CatalogueDocument.Kind"/>) as an XLSX workbook.</summary>
    /// <returns>The totals written under the rows.</returns>
    CatalogueTotals WriteCatalogueXlsx(CatalogueDocument document, IEnumerable<CatalogueEntry> entries, Stream output);

    /// <summary>Writes a catalogue as a DOCX document.</summary>
    /// <returns>The totals written under the rows.</returns>
    CatalogueTotals WriteCatalogueDocx(CatalogueDocument document, IEnumerable<CatalogueEntry> entries, Stream output);

    /// <summary>Writes the handover record (biên bản giao nhận hồ sơ, tài liệu) as a DOCX document.</summary>
    void WriteHandoverRecordDocx(HandoverRecordDocument document, Stream output);

    /// <summary>Writes the transfer record (biên bản thu nộp hồ sơ, tài liệu vào Lưu trữ lịch sử) as a DOCX document.</summary>
    void WriteTransferRecordDocx(TransferRecordDocument document, Stream output);

    /// <summary>Writes the explanatory note of a destruction (bản thuyết minh tài liệu hết thời hạn lưu trữ) as a DOCX document.</summary>
    void WriteDestructionNoteDocx(DestructionNoteDocument document, Stream output);

    /// <summary>Writes the destruction record (biên bản hủy tài liệu hết thời hạn lưu trữ) as a DOCX document.</summary>
    void WriteDestructionRecordDocx(DestructionRecordDocument document, Stream output);
}

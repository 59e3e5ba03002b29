namespace Archive.Documents;

/// <summary>The <see cref="IOfficeDocumentWriter"/> of this package: <see cref="OfficeDocuments"/> (OpenXml, streamed).</summary>
public sealed class OpenXmlDocumentWriter : IOfficeDocumentWriter
{
    /// <inheritdoc />
    public CatalogueTotals WriteCatalogueXlsx(CatalogueDocument document, IEnumerable<CatalogueEntry> entries, Stream output)
        => OfficeDocuments.WriteCatalogueXlsx(document, entries, output);

    /// <inheritdoc />
    public CatalogueTotals WriteCatalogueDocx(CatalogueDocument document, IEnumerable<CatalogueEntry> entries, Stream output)
        => OfficeDocuments.WriteCatalogueDocx(document, entries, output);

    /// <inheritdoc />
    public void WriteHandoverRecordDocx(HandoverRecordDocument document, Stream output)
        => OfficeDocuments.WriteHandoverRecordDocx(document, output);

    /// <inheritdoc />
    public void WriteTransferRecordDocx(TransferRecordDocument document, Stream output)
        => OfficeDocuments.WriteTransferRecordDocx(document, output);

    /// <inheritdoc />
    public void WriteDestructionNoteDocx(DestructionNoteDocument document, Stream output)
        => OfficeDocuments.WriteDestructionNoteDocx(document, output);

    /// <inheritdoc />
    public void WriteDestructionRecordDocx(DestructionRecordDocument document, Stream output)
        => OfficeDocuments.WriteDestructionRecordDocx(document, output);
}

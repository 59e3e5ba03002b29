using Archive.Retention;
using Archive.Storage;

namespace Archive.Records;

/// <summary>
/// What a caller sets on a record file (hồ sơ). The engine fills the rest: <c>FileCode</c> (composed),
/// <c>OrganId</c> (the fonds' creating agency), <c>DocTotal</c> and <c>PageTotal</c> (computed), and keeps documents,
/// weeding marks, legal hold and accession, which have their own operations.
/// </summary>
public sealed record RecordFileInput
{
    /// <summary>The fonds (must exist and be open to create a file; cannot change).</summary>
    public required string FondsCode { get; init; }

    /// <summary>Year the file was formed (Decree 30 <c>FileCatalog</c>; cannot change).</summary>
    public required int FileCatalog { get; init; }

    /// <summary>File notation, e.g. <c>01.TCCB</c> (cannot change).</summary>
    public required string FileNotation { get; init; }

    /// <summary>Optional: must equal the fonds' creating agency when given (filled from it otherwise).</summary>
    public string? OrganId { get; init; }

    /// <summary>Title (500).</summary>
    public required string Title { get; init; }

    /// <summary>Retention; taken from the schedule item when null (one of the two is required).</summary>
    public RetentionPeriod? Maintenance { get; init; }

    /// <summary>Retention schedule item (must exist in the agency's effective schedule).</summary>
    public string? ScheduleItemCode { get; init; }

    /// <summary>Access regime.</summary>
    public AccessLevel Rights { get; init; } = AccessLevel.Public;

    /// <summary>Person who made the file (30).</summary>
    public string? Creator { get; init; }

    /// <summary>Language (50).</summary>
    public string Language { get; init; } = "Tiếng Việt";

    /// <summary>Start date.</summary>
    public DateOnly? StartDate { get; init; }

    /// <summary>End date (its year is the closing year).</summary>
    public DateOnly? EndDate { get; init; }

    /// <summary>Description (500).</summary>
    public string? Description { get; init; }

    /// <summary>Information symbol (30).</summary>
    public string? InforSign { get; init; }

    /// <summary>Keywords (100 each).</summary>
    public IReadOnlyList<string> Keywords { get; init; } = [];

    /// <summary>Sheet count.</summary>
    public int? SheetNumber { get; init; }

    /// <summary>Physical condition.</summary>
    public PhysicalCondition? Format { get; init; }

    /// <summary>Reliability.</summary>
    public Reliability? ConfidenceLevel { get; init; }

    /// <summary>Code of the paper file a digitised file comes from.</summary>
    public string? PaperFileCode { get; init; }

    /// <summary>Finished or unfinished.</summary>
    public RecordFileStatus Status { get; init; } = RecordFileStatus.Finished;

    /// <summary>What remains to be done (required when unfinished).</summary>
    public string? UnfinishedNote { get; init; }
}

/// <summary>What a caller sets on a document (văn bản); content files are uploaded separately.</summary>
public sealed record DocumentInput
{
    /// <summary>Ordinal; the next free one (highest + 1) when null. Cannot change once assigned.</summary>
    public int? DocOrdinal { get; init; }

    /// <summary>Type name, e.g. Công văn (100).</summary>
    public string? TypeName { get; init; }

    /// <summary>Number, e.g. <c>05</c>.</summary>
    public string? CodeNumber { get; init; }

    /// <summary>Symbol, e.g. <c>BNV-VP</c>.</summary>
    public string? CodeNotation { get; init; }

    /// <summary>Issue date.</summary>
    public DateOnly? IssuedDate { get; init; }

    /// <summary>Issuing body (200).</summary>
    public string? OrganName { get; init; }

    /// <summary>Trích yếu (500).</summary>
    public string? Subject { get; init; }

    /// <summary>Language.</summary>
    public string Language { get; init; } = "Tiếng Việt";

    /// <summary>Page count; when null it is kept (update) or taken from the pages of uploaded PDF content.</summary>
    public int? PageAmount { get; init; }

    /// <summary>Description (500).</summary>
    public string? Description { get; init; }

    /// <summary>Signer.</summary>
    public Signer? SignerInfo { get; init; }

    /// <summary>Reliability.</summary>
    public Reliability ConfidenceLevel { get; init; } = Reliability.BornDigital;
}

/// <summary>A content file to upload into a document.</summary>
public sealed record ContentUpload
{
    /// <summary>
    /// File name (one path segment; normalised to NFC). Names with '/', '\', '..', control characters or
    /// surrounding spaces are refused.
    /// </summary>
    public required string FileName { get; init; }

    /// <summary>The content, read once forward (need not be seekable); the caller disposes it.</summary>
    public required Stream Content { get; init; }

    /// <summary>
    /// Declared media type. The content decides: when null or generic (<c>application/octet-stream</c>) the type is
    /// sniffed from the content (PDF, DOCX, XLSX, PPTX, ODF, ZIP, PNG, JPEG, TIFF, GIF, RTF, HTML, XML, text) and else
    /// taken from the name's extension; a declared type the content contradicts (HTML declared as PDF, a binary file
    /// declared as text) is refused with <c>content.media-type-mismatch</c> and nothing is stored.
    /// </summary>
    public string? MediaType { get; init; }

    /// <summary>Expected lower- or upper-case hex SHA-256; the upload is refused when the content differs.</summary>
    public string? ExpectedSha256 { get; init; }
}

/// <summary>
/// A complete record file to import in one version: its own elements, its documents and their content files (as an
/// e-office system hands over a finished hồ sơ). See <see cref="RecordFileService.ImportAsync"/>.
/// </summary>
public sealed record RecordFileImport
{
    /// <summary>The record file's own elements.</summary>
    public required RecordFileInput File { get; init; }

    /// <summary>Its documents, in order; ordinals are <see cref="DocumentInput.DocOrdinal"/> or the next free one.</summary>
    public IReadOnlyList<DocumentImport> Documents { get; init; } = [];
}

/// <summary>A document of a <see cref="RecordFileImport"/> with its content files.</summary>
public sealed record DocumentImport
{
    /// <summary>The document's elements.</summary>
    public required DocumentInput Document { get; init; }

    /// <summary>Its content files (streams read once, forward; the caller disposes them).</summary>
    public IReadOnlyList<ContentUpload> Contents { get; init; } = [];
}

/// <summary>The outcome of one record file of <see cref="RecordFileService.ImportBatchAsync"/>: a result or an error, never both.</summary>
/// <param name="Index">Its position in the batch.</param>
/// <param name="Result">The stored record file, when imported.</param>
/// <param name="Error">Why it was not imported (validation, conflict, closed fonds, storage...); nothing of it was stored.</param>
public sealed record ImportOutcome(int Index, WriteResult<RecordFile>? Result, ArchiveException? Error);

/// <summary>An open content file of a document. Dispose it to release the stream.</summary>
public sealed class RecordContent : IAsyncDisposable, IDisposable
{
    internal RecordContent(ContentFile file, int version, ObjectContent content)
    {
        File = file;
        Version = version;
        Content = content;
    }

    /// <summary>The content file's description (name, media type, length, SHA-256).</summary>
    public ContentFile File { get; }

    /// <summary>The package version read.</summary>
    public int Version { get; }

    /// <summary>The stream and the range served.</summary>
    public ObjectContent Content { get; }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => Content.DisposeAsync();

    /// <inheritdoc />
    public void Dispose() => Content.Dispose();
}

/// <summary>Which record files to list.</summary>
public sealed record RecordFileQuery
{
    /// <summary>Only files of this agency (<c>OrganId</c>).</summary>
    public string? AgencyId { get; init; }

    /// <summary>Only files of this fonds.</summary>
    public string? FondsCode { get; init; }

    /// <summary>
    /// Continue after this file code (the last one of the previous page): listings come in the package store's
    /// stable order, so this pages through them without holding anything.
    /// </summary>
    public string? After { get; init; }
}

/// <summary>A weeded-out record file or document (listed apart; never in a handover or transfer list).</summary>
/// <param name="FileCode">The record file.</param>
/// <param name="DocOrdinal">The document, or null when the whole file was weeded out.</param>
/// <param name="Title">The file title or the document subject.</param>
/// <param name="Mark">Kind, reason, when and by whom.</param>
public sealed record NonArchivalEntry(string FileCode, int? DocOrdinal, string? Title, NonArchivalMark Mark);

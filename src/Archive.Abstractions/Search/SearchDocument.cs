namespace Archive.Search;

/// <summary>What kind of thing a search document describes.</summary>
public enum SearchDocumentKind
{
    /// <summary>A record file (hồ sơ).</summary>
    RecordFile = 0,

    /// <summary>A document (văn bản, tài liệu) inside a record file.</summary>
    Document = 1,
}

/// <summary>
/// The searchable projection of a record file or a document. Text fields are analysed for Vietnamese
/// (matching with or without diacritics); the others are exact-match filter and facet fields.
/// </summary>
public sealed record SearchDocument
{
    /// <summary>Unique id in the index (e.g. the record file's package id, or package id + '/' + document ordinal).</summary>
    public required string Id { get; init; }

    /// <summary>Record file or document.</summary>
    public SearchDocumentKind Kind { get; init; }

    /// <summary>For a document, the id of its record file.</summary>
    public string? ParentId { get; init; }

    // Analysed text.

    /// <summary>Title (tiêu đề hồ sơ) — weighted above body text.</summary>
    public string? Title { get; init; }

    /// <summary>Summary (trích yếu nội dung) — weighted above body text.</summary>
    public string? Subject { get; init; }

    /// <summary>Extracted full text of the content.</summary>
    public string? Text { get; init; }

    /// <summary>Extracted text page by page (1-based page numbers), when the source has pages. Searched like <see cref="Text"/>; highlights name the page.</summary>
    public IReadOnlyList<string>? Pages { get; init; }

    /// <summary>
    /// The label of each of <see cref="Pages"/> that is a sheet or a section rather than a numbered page (a workbook's
    /// sheet name, a heading), null for a numbered page; aligned with <see cref="Pages"/>, or null when no page has a
    /// label. Stored, not searched; highlights from a labelled page carry it (<see cref="Highlight.Label"/>).
    /// </summary>
    public IReadOnlyList<string?>? PageLabels { get; init; }

    /// <summary>Keywords (từ khóa): analysed and also exact-match facetable.</summary>
    public IReadOnlyList<string> Keywords { get; init; } = [];

    // Exact-match filter and facet fields (see SearchFields).

    /// <summary>Agency identifier (mã định danh) of the creating agency.</summary>
    public string? AgencyId { get; init; }

    /// <summary>Fonds code (phông).</summary>
    public string? FondsId { get; init; }

    /// <summary>File code (mã hồ sơ).</summary>
    public string? FileCode { get; init; }

    /// <summary>Document number and symbol (số, ký hiệu), e.g. <c>05/BNV-VP</c>; matched exactly and as text.</summary>
    public string? CodeNumber { get; init; }

    /// <summary>Document type name (tên loại), e.g. <c>Công văn</c>.</summary>
    public string? DocumentType { get; init; }

    /// <summary>Issuing body (cơ quan ban hành); analysed and exact-match.</summary>
    public string? IssuingBody { get; init; }

    /// <summary>Retention label, e.g. <c>permanent</c>, <c>10y</c>.</summary>
    public string? Retention { get; init; }

    /// <summary>Access level.</summary>
    public AccessLevel AccessLevel { get; init; }

    /// <summary>Status, e.g. <c>finished</c>, <c>unfinished</c>, <c>accessioned</c>.</summary>
    public string? Status { get; init; }

    /// <summary>The date the result list sorts by (issue date of a document, start date of a record file).</summary>
    public DateOnly? Date { get; init; }

    /// <summary>Further exact-match fields (name → value), filterable and facetable as <c>tag.NAME</c>.</summary>
    public IReadOnlyDictionary<string, string>? Tags { get; init; }

    /// <summary>
    /// The version of the stored source this document was projected from (for a record file and its documents: the
    /// package head version of the record file, 1-based), or <see langword="null"/> when unknown. Never negative.
    /// </summary>
    /// <remarks>
    /// Several writers (hosts) may send projections of the same source to one index, and the write of an older
    /// version can arrive after that of a newer one. An index that orders writes uses this to refuse an older
    /// projection arriving after a newer one (the newer stays; an equal version replaces, so rewriting is idempotent),
    /// and <see cref="ISearchIndex.DeleteAsync(IReadOnlyCollection{string}, long, CancellationToken)"/> to keep a
    /// deletion over late writes of the versions it deleted. An index written by one process only may ignore it
    /// (see <see cref="ISearchIndex"/>); documents without a version are written as before (the last write wins).
    /// </remarks>
    public long? Version { get; init; }
}

/// <summary>Names of the filter, facet and highlight fields.</summary>
public static class SearchFields
{
    /// <summary>Kind: <c>RecordFile</c> or <c>Document</c>.</summary>
    public const string Kind = "kind";

    /// <summary>Parent record file id.</summary>
    public const string ParentId = "parentId";

    /// <summary>Agency identifier.</summary>
    public const string Agency = "agency";

    /// <summary>Fonds code.</summary>
    public const string Fonds = "fonds";

    /// <summary>File code.</summary>
    public const string FileCode = "fileCode";

    /// <summary>Number and symbol.</summary>
    public const string CodeNumber = "codeNumber";

    /// <summary>Document type.</summary>
    public const string DocumentType = "type";

    /// <summary>Issuing body.</summary>
    public const string IssuingBody = "issuingBody";

    /// <summary>Retention label.</summary>
    public const string Retention = "retention";

    /// <summary>Access level: <c>Public</c>, <c>Conditional</c> or <c>Secret</c>.</summary>
    public const string AccessLevel = "access";

    /// <summary>Status.</summary>
    public const string Status = "status";

    /// <summary>Year of <see cref="SearchDocument.Date"/> (facet; filter with <see cref="YearRangeFilter"/>).</summary>
    public const string Year = "year";

    /// <summary>Keywords (exact).</summary>
    public const string Keyword = "keyword";

    /// <summary>Highlight field: title.</summary>
    public const string Title = "title";

    /// <summary>Highlight field: subject.</summary>
    public const string Subject = "subject";

    /// <summary>Highlight field: full text (snippets carry the page number when pages were given).</summary>
    public const string Text = "text";

    /// <summary>Prefix of tag fields: <c>tag.NAME</c>.</summary>
    public const string TagPrefix = "tag.";

    /// <summary>Exact-match fields that can be filtered and faceted (besides <c>tag.*</c>).</summary>
    public static IReadOnlyList<string> Filterable { get; } =
        [Kind, ParentId, Agency, Fonds, FileCode, CodeNumber, DocumentType, IssuingBody, Retention, AccessLevel, Status, Year, Keyword];

    /// <summary>
    /// The single-valued exact-match fields of a document with their raw values (null when absent), in the order every
    /// engine indexes them; keywords, tags and the year are indexed by each engine beside these.
    /// </summary>
    public static IEnumerable<(string Field, string? Value)> SingleValued(SearchDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        yield return (Kind, document.Kind.ToString());
        yield return (ParentId, document.ParentId);
        yield return (Agency, document.AgencyId);
        yield return (Fonds, document.FondsId);
        yield return (FileCode, document.FileCode);
        yield return (CodeNumber, document.CodeNumber);
        yield return (DocumentType, document.DocumentType);
        yield return (IssuingBody, document.IssuingBody);
        yield return (Retention, document.Retention);
        yield return (AccessLevel, document.AccessLevel.ToString());
        yield return (Status, document.Status);
    }

    /// <summary>Whether <paramref name="field"/> can be filtered or faceted.</summary>
    public static bool IsFilterable(string field)
        => field is not null && (Filterable.Contains(field) || (field.StartsWith(TagPrefix, StringComparison.Ordinal) && field.Length > TagPrefix.Length));
}

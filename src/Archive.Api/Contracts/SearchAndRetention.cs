using System.Text.Json.Serialization;
using Archive.Retention;
using Archive.Search;

namespace Archive.Api.Contracts;

/// <summary>One page of search results.</summary>
public sealed record SearchResultsDto
{
    /// <summary>Number of matching record files and documents: exact when <see cref="TotalIsExact"/>, else a lower bound (large result sets are not counted to the end).</summary>
    public long Total { get; init; }

    /// <summary>Whether <see cref="Total"/> is the exact count.</summary>
    public bool TotalIsExact { get; init; } = true;

    /// <summary>This page's hits.</summary>
    public IReadOnlyList<SearchHitDto> Hits { get; init; } = [];

    /// <summary>Facet counts per requested field, most frequent first.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<FacetValueDto>> Facets { get; init; } = new Dictionary<string, IReadOnlyList<FacetValueDto>>();

    /// <summary>Pass as <c>cursor</c> to get the next page; null on the last page.</summary>
    public string? NextCursor { get; init; }
}

/// <summary>A search hit: a record file (hồ sơ) or a document (văn bản).</summary>
public sealed record SearchHitDto
{
    /// <summary>Index id: the file code, or file code + '/' + document ordinal.</summary>
    /// <example>000.00.00.G09.2024.01.TCCB/1</example>
    public required string Id { get; init; }

    /// <summary>RecordFile or Document.</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<SearchDocumentKind>))]
    public SearchDocumentKind Kind { get; init; }

    /// <summary>For a document, its record file's code.</summary>
    public string? ParentId { get; init; }

    /// <summary>Tiêu đề (file title, or document type and number).</summary>
    public string? Title { get; init; }

    /// <summary>Trích yếu nội dung (documents).</summary>
    public string? Subject { get; init; }

    /// <summary>Mã hồ sơ.</summary>
    public string? FileCode { get; init; }

    /// <summary>Mã định danh của cơ quan (OrganId).</summary>
    public string? AgencyId { get; init; }

    /// <summary>Mã phông.</summary>
    public string? FondsCode { get; init; }

    /// <summary>Số, ký hiệu văn bản.</summary>
    public string? CodeNumber { get; init; }

    /// <summary>Tên loại văn bản.</summary>
    public string? DocumentType { get; init; }

    /// <summary>Cơ quan ban hành.</summary>
    public string? IssuingBody { get; init; }

    /// <summary>Thời hạn lưu trữ (canonical).</summary>
    public string? Retention { get; init; }

    /// <summary>Mức độ tiếp cận.</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<AccessLevel>))]
    public AccessLevel AccessLevel { get; init; }

    /// <summary>Finished, Unfinished or Accessioned (as record files spell it; filters read either case).</summary>
    public string? Status { get; init; }

    /// <summary>Issue date (documents) or start date (record files).</summary>
    public DateOnly? Date { get; init; }

    /// <summary>Relevance score (engine-specific scale).</summary>
    public double Score { get; init; }

    /// <summary>Highlighted snippets (matches in <c>&lt;em&gt;</c>, the rest HTML-encoded).</summary>
    public IReadOnlyList<HighlightDto> Highlights { get; init; } = [];
}

/// <summary>A highlighted snippet.</summary>
public sealed record HighlightDto
{
    /// <summary>title, subject or text.</summary>
    public required string Field { get; init; }

    /// <summary>HTML-safe text with matches in <c>&lt;em&gt;</c>.</summary>
    public required string Fragment { get; init; }

    /// <summary>1-based page of the content the snippet comes from, when known (for a workbook or an unpaged document: the sheet or section's number).</summary>
    public int? Page { get; init; }

    /// <summary>
    /// The sheet or section the snippet comes from when the content has no pages: the sheet name of a workbook (XLSX,
    /// ODS), the heading of a section of a DOCX/ODT/HTML document, or "Phần N" for a part of fixed size; absent for a
    /// numbered page.
    /// </summary>
    /// <example>Sheet1</example>
    public string? Label { get; init; }
}

/// <summary>A facet value and its count.</summary>
public sealed record FacetValueDto
{
    /// <summary>The value.</summary>
    public required string Value { get; init; }

    /// <summary>Matching record files and documents with this value.</summary>
    public long Count { get; init; }
}

/// <summary>A retention schedule (bảng thời hạn lưu trữ).</summary>
public sealed record RetentionScheduleDto
{
    /// <summary>Schedule id.</summary>
    /// <example>bnv-2025</example>
    public required string Id { get; init; }

    /// <summary>Tên bảng thời hạn lưu trữ.</summary>
    /// <example>Bảng thời hạn lưu trữ hồ sơ, tài liệu của Bộ Nội vụ</example>
    public required string Title { get; init; }

    /// <summary>Căn cứ (legal source of the schedule).</summary>
    public string? Source { get; init; }

    /// <summary>The agency that owns it; null for the shared default.</summary>
    public string? AgencyId { get; init; }

    /// <summary>Nhóm hồ sơ (categories).</summary>
    public IReadOnlyList<RetentionCategoryDto> Categories { get; init; } = [];

    /// <summary>Mục (items): a kind of record file and how long it is kept.</summary>
    public IReadOnlyList<RetentionItemDto> Items { get; init; } = [];

    /// <summary>Package version of the agency's own schedule (0 for the default or an effective schedule).</summary>
    public int Version { get; init; }
}

/// <summary>A category (nhóm hồ sơ) of a retention schedule.</summary>
public sealed record RetentionCategoryDto
{
    /// <summary>Mã nhóm.</summary>
    public required string Code { get; init; }

    /// <summary>Tên nhóm, e.g. Tài liệu tổ chức, cán bộ.</summary>
    public required string Title { get; init; }

    /// <summary>Mã nhóm cha.</summary>
    public string? ParentCode { get; init; }
}

/// <summary>An item (mục) of a retention schedule.</summary>
public sealed record RetentionItemDto
{
    /// <summary>Mã mục (stable within the schedule).</summary>
    /// <example>TCCB.01</example>
    public required string Code { get; init; }

    /// <summary>Tên nhóm hồ sơ, tài liệu.</summary>
    /// <example>Hồ sơ tuyển dụng công chức</example>
    public required string Title { get; init; }

    /// <summary>Mã nhóm.</summary>
    public string? CategoryCode { get; init; }

    /// <summary>Thời hạn lưu trữ: <c>permanent</c> (Vĩnh viễn), <c>until-superseded</c>, or <c>{n}y</c> / <c>{n} năm</c>.</summary>
    /// <example>70y</example>
    public required string Retention { get; init; }

    /// <summary>ReviewForDestruction (tiêu hủy sau xét duyệt) or TransferToHistoricalArchives (nộp lưu); follows the period when left out.</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<DispositionAction>))]
    public DispositionAction? Disposition { get; init; }

    /// <summary>Căn cứ (where the value comes from), <c>agency</c> when set locally.</summary>
    public string? Source { get; init; }

    /// <summary>Ghi chú.</summary>
    public string? Notes { get; init; }
}

/// <summary>Record files due on a date, and those withheld (legal hold).</summary>
public sealed record DueReportDto
{
    /// <summary>The date the report was computed for.</summary>
    public DateOnly AsOf { get; init; }

    /// <summary>Files that fall due, by due year then file code.</summary>
    public IReadOnlyList<DueItemDto> Due { get; init; } = [];

    /// <summary>Files that would fall due but are under legal hold (never destroyed or moved while held).</summary>
    public IReadOnlyList<DueItemDto> Withheld { get; init; } = [];
}

/// <summary>A record file that falls due (appraisal: hết thời hạn lưu trữ; transfer: đến hạn nộp lưu).</summary>
public sealed record DueItemDto
{
    /// <summary>Mã hồ sơ.</summary>
    public required string FileCode { get; init; }

    /// <summary>Mã phông.</summary>
    public required string FondsCode { get; init; }

    /// <summary>Mã cơ quan lưu trữ (OrganId).</summary>
    public required string OrganId { get; init; }

    /// <summary>Tiêu đề hồ sơ.</summary>
    public required string Title { get; init; }

    /// <summary>Thời hạn lưu trữ (canonical).</summary>
    public required string Maintenance { get; init; }

    /// <summary>Mã mục trong bảng thời hạn lưu trữ.</summary>
    public string? ScheduleItemCode { get; init; }

    /// <summary>Năm kết thúc (closing year retention counts from).</summary>
    public int ClosingYear { get; init; }

    /// <summary>Năm đến hạn.</summary>
    public int DueYear { get; init; }

    /// <summary>Tổng số văn bản.</summary>
    public int DocTotal { get; init; }

    /// <summary>Tổng số trang.</summary>
    public int PageTotal { get; init; }

    /// <summary>The package version read.</summary>
    public int Version { get; init; }

    /// <summary>Why a due file is withheld (e.g. <c>legal-hold</c>).</summary>
    public string? WithheldReason { get; init; }
}

/// <summary>Starts a reindex (rebuilds the search index from storage).</summary>
public sealed record StartReindexRequest
{
    /// <summary>Discard an interrupted run instead of resuming it.</summary>
    public bool Restart { get; init; }

    /// <summary>Record files per batch and checkpoint (1–10000); the configured default when left out.</summary>
    public int? BatchSize { get; init; }
}

/// <summary>Progress of the reindex job.</summary>
public sealed record ReindexStatusDto
{
    /// <summary>Idle, Running, Completed, Canceled or Failed.</summary>
    public required string State { get; init; }

    /// <summary>rebuild (new index swapped in) or upsert (live index updated).</summary>
    public string? Mode { get; init; }

    /// <summary>Record files done.</summary>
    public long Processed { get; init; }

    /// <summary>Record files in storage when the run started.</summary>
    public long Total { get; init; }

    /// <summary>Search documents written.</summary>
    public long DocumentsIndexed { get; init; }

    /// <summary>The last record file done (checkpoint).</summary>
    public string? LastFileCode { get; init; }

    /// <summary>Whether the run resumed an interrupted one.</summary>
    public bool Resumed { get; init; }

    /// <summary>When the run started.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>When the state last changed.</summary>
    public DateTimeOffset? UpdatedAt { get; init; }

    /// <summary>Why the run failed.</summary>
    public string? Error { get; init; }
}

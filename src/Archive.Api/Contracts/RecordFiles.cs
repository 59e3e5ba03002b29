using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Archive.Records;

namespace Archive.Api.Contracts;

/// <summary>
/// What a client sets on a record file (hồ sơ), to create it (POST) or replace its elements (PUT with
/// <c>If-Match</c>; fondsCode, fileCatalog and fileNotation cannot change). The engine composes the file code and
/// computes the totals.
/// </summary>
public sealed record RecordFileRequest
{
    /// <summary>Mã phông (the fonds; must exist and be open).</summary>
    /// <example>P-G09</example>
    public required string FondsCode { get; init; }

    /// <summary>Năm hình thành hồ sơ (FileCatalog, four-digit year).</summary>
    /// <example>2024</example>
    public required int FileCatalog { get; init; }

    /// <summary>Số và ký hiệu hồ sơ (FileNotation, 20), e.g. <c>01.TCCB</c>.</summary>
    /// <example>01.TCCB</example>
    [MaxLength(RecordRules.FileNotationMax)]
    public required string FileNotation { get; init; }

    /// <summary>Mã cơ quan lưu trữ (OrganId); must equal the fonds' creating agency (filled from it when left out).</summary>
    public string? OrganId { get; init; }

    /// <summary>Tiêu đề hồ sơ (Title, 500).</summary>
    /// <example>Hồ sơ tuyển dụng công chức năm 2024</example>
    [MaxLength(RecordRules.TitleMax)]
    public required string Title { get; init; }

    /// <summary>
    /// Thời hạn lưu trữ (Maintenance): <c>permanent</c> / <c>Vĩnh viễn</c>, <c>until-superseded</c>, or years such as
    /// <c>10y</c> / <c>10 năm</c>. Taken from the schedule item when left out (one of the two is required).
    /// </summary>
    /// <example>10y</example>
    public string? Maintenance { get; init; }

    /// <summary>Mã mục trong bảng thời hạn lưu trữ (retention schedule item the file is classified to).</summary>
    public string? ScheduleItemCode { get; init; }

    /// <summary>Mức độ tiếp cận (Rights): Public (công khai), Conditional (sử dụng có điều kiện), Secret (mật).</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<AccessLevel>))]
    public AccessLevel Rights { get; init; } = AccessLevel.Public;

    /// <summary>Người lập hồ sơ (Creator, 30).</summary>
    /// <example>Trần Thị Bình</example>
    [MaxLength(30)]
    public string? Creator { get; init; }

    /// <summary>Ngôn ngữ (Language, 50): an ISO 639 code, <c>vi</c> by default; <c>Tiếng Việt</c> is read as <c>vi</c>.</summary>
    /// <example>vi</example>
    [MaxLength(50)]
    public string Language { get; init; } = "vi";

    /// <summary>Thời gian bắt đầu (StartDate).</summary>
    /// <example>2024-01-15</example>
    public DateOnly? StartDate { get; init; }

    /// <summary>Thời gian kết thúc (EndDate); its year is the closing year retention counts from.</summary>
    /// <example>2024-12-20</example>
    public DateOnly? EndDate { get; init; }

    /// <summary>Ghi chú (Description, 500).</summary>
    [MaxLength(RecordRules.DescriptionMax)]
    public string? Description { get; init; }

    /// <summary>Ký hiệu thông tin (InforSign, 30).</summary>
    [MaxLength(30)]
    public string? InforSign { get; init; }

    /// <summary>Từ khóa (keywords, 100 each).</summary>
    [MaxLength(RecordRules.KeywordsMax)]
    public IReadOnlyList<string> Keywords { get; init; } = [];

    /// <summary>Số lượng tờ (SheetNumber).</summary>
    public int? SheetNumber { get; init; }

    /// <summary>Tình trạng vật lý (Format): Good (tốt), Normal (bình thường), Damaged (hỏng).</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<PhysicalCondition>))]
    public PhysicalCondition? Format { get; init; }

    /// <summary>Mức độ tin cậy (ConfidenceLevel): BornDigital (gốc điện tử), Digitised (số hóa), Mixed (hỗn hợp).</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<Reliability>))]
    public Reliability? ConfidenceLevel { get; init; }

    /// <summary>Mã hồ sơ giấy gốc (the paper file a digitised file comes from).</summary>
    [MaxLength(50)]
    public string? PaperFileCode { get; init; }

    /// <summary>Finished (đã giải quyết xong) or Unfinished (chưa giải quyết xong, needs <c>unfinishedNote</c>).</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<RecordFileStatus>))]
    public RecordFileStatus Status { get; init; } = RecordFileStatus.Finished;

    /// <summary>What remains to be done (required when unfinished).</summary>
    public string? UnfinishedNote { get; init; }
}

/// <summary>A record file (hồ sơ) at one version, with its documents.</summary>
public sealed record RecordFileDto
{
    /// <summary>Mã hồ sơ (FileCode): <c>OrganId.FileCatalog.FileNotation</c>.</summary>
    /// <example>000.00.00.G09.2024.01.TCCB</example>
    public required string FileCode { get; init; }

    /// <summary>Mã cơ quan lưu trữ (OrganId).</summary>
    /// <example>000.00.00.G09</example>
    public required string OrganId { get; init; }

    /// <summary>Năm hình thành hồ sơ (FileCatalog).</summary>
    /// <example>2024</example>
    public int FileCatalog { get; init; }

    /// <summary>Số và ký hiệu hồ sơ (FileNotation).</summary>
    /// <example>01.TCCB</example>
    public required string FileNotation { get; init; }

    /// <summary>Mã phông.</summary>
    /// <example>P-G09</example>
    public required string FondsCode { get; init; }

    /// <summary>Tiêu đề hồ sơ (Title).</summary>
    /// <example>Hồ sơ tuyển dụng công chức năm 2024</example>
    public required string Title { get; init; }

    /// <summary>Thời hạn lưu trữ (Maintenance), canonical: <c>permanent</c>, <c>until-superseded</c> or <c>{n}y</c>.</summary>
    /// <example>10y</example>
    public required string Maintenance { get; init; }

    /// <summary>Thời hạn lưu trữ in Vietnamese, e.g. <c>Vĩnh viễn</c>, <c>10 năm</c>.</summary>
    /// <example>10 năm</example>
    public required string MaintenanceLabel { get; init; }

    /// <summary>Mã mục trong bảng thời hạn lưu trữ.</summary>
    public string? ScheduleItemCode { get; init; }

    /// <summary>Mức độ tiếp cận (Rights).</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<AccessLevel>))]
    public AccessLevel Rights { get; init; }

    /// <summary>Người lập hồ sơ (Creator).</summary>
    public string? Creator { get; init; }

    /// <summary>Ngôn ngữ (Language): an ISO 639 code such as <c>vi</c>.</summary>
    public string Language { get; init; } = "vi";

    /// <summary>Thời gian bắt đầu (StartDate).</summary>
    public DateOnly? StartDate { get; init; }

    /// <summary>Thời gian kết thúc (EndDate).</summary>
    public DateOnly? EndDate { get; init; }

    /// <summary>Tổng số văn bản (DocTotal, archival documents) — computed.</summary>
    public int DocTotal { get; init; }

    /// <summary>Tổng số trang (PageTotal, archival documents) — computed.</summary>
    public int PageTotal { get; init; }

    /// <summary>Ghi chú (Description).</summary>
    public string? Description { get; init; }

    /// <summary>Ký hiệu thông tin (InforSign).</summary>
    public string? InforSign { get; init; }

    /// <summary>Từ khóa (keywords).</summary>
    public IReadOnlyList<string> Keywords { get; init; } = [];

    /// <summary>Số lượng tờ (SheetNumber).</summary>
    public int? SheetNumber { get; init; }

    /// <summary>Tình trạng vật lý (Format).</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<PhysicalCondition>))]
    public PhysicalCondition? Format { get; init; }

    /// <summary>Mức độ tin cậy (ConfidenceLevel).</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<Reliability>))]
    public Reliability? ConfidenceLevel { get; init; }

    /// <summary>Mã hồ sơ giấy gốc.</summary>
    public string? PaperFileCode { get; init; }

    /// <summary>Finished or Unfinished.</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<RecordFileStatus>))]
    public RecordFileStatus Status { get; init; }

    /// <summary>What remains to be done (unfinished files).</summary>
    public string? UnfinishedNote { get; init; }

    /// <summary>Set when the whole file was weeded out as non-archival (loại ra).</summary>
    public NonArchivalMarkDto? NonArchival { get; init; }

    /// <summary>Frozen by a competent authority (legal hold): refuses every change, never destroyed.</summary>
    public bool LegalHold { get; init; }

    /// <summary>When the Historical Archives accessioned the file (read-only afterwards).</summary>
    public DateTimeOffset? AccessionedAt { get; init; }

    /// <summary>Where the paper file is kept (kho, giá, khoang, hộp); null when not placed. Set by <c>PUT …/location</c>.</summary>
    public PhysicalLocationDto? Location { get; init; }

    /// <summary>The device carrying the digitised copy and its seal; null when none. Set by <c>PUT …/carrier</c>.</summary>
    public DigitalCarrierDto? Carrier { get; init; }

    /// <summary>Văn bản trong hồ sơ (documents), by ordinal.</summary>
    public IReadOnlyList<DocumentDto> Documents { get; init; } = [];

    /// <summary>Package version of this state (the ETag is <c>"v{version}"</c>).</summary>
    /// <example>3</example>
    public int Version { get; init; }

    /// <summary>The head version (differs from <c>version</c> when a past version was read).</summary>
    public int HeadVersion { get; init; }

    /// <summary>When this version was committed.</summary>
    public DateTimeOffset Modified { get; init; }

    /// <summary>Who committed it.</summary>
    public string? ModifiedBy { get; init; }

    /// <summary>Warnings of the change that produced this response (e.g. <c>document.duplicate-number</c>); empty on reads.</summary>
    public IReadOnlyList<FieldError> Warnings { get; init; } = [];

    /// <summary>
    /// Whether this version is searchable yet: a change is acknowledged when it is stored and indexed for search in the
    /// background. On a record file's GET and on every write's response; absent on lists and past versions. A write
    /// with <c>?wait=searchable</c> answers once the version is searchable or the wait's bound passed (then
    /// <c>Pending</c>; the change is stored all the same).
    /// </summary>
    public ProjectionDto? Projection { get; init; }
}

/// <summary>The search projection state of a record file version.</summary>
public sealed record ProjectionDto
{
    /// <summary><c>Searchable</c>: search finds this version (or a newer one); <c>Pending</c>: stored, not yet indexed (đang lập chỉ mục).</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<ProjectionState>))]
    public ProjectionState State { get; init; }

    /// <summary>The newest version known to be searchable; absent when not known (a pending change made on another host or before a restart).</summary>
    /// <example>3</example>
    public int? SearchableVersion { get; init; }
}

/// <summary>What a client sets on a document (văn bản); content files are uploaded separately.</summary>
public sealed record DocumentRequest
{
    /// <summary>Số thứ tự văn bản trong hồ sơ (DocOrdinal, 1–999); the next free one when left out. Cannot change.</summary>
    public int? DocOrdinal { get; init; }

    /// <summary>Tên loại văn bản (TypeName, 100), e.g. Công văn, Quyết định.</summary>
    /// <example>Quyết định</example>
    [MaxLength(100)]
    public string? TypeName { get; init; }

    /// <summary>Số của văn bản (CodeNumber, 11 digits, zero-padded below 10).</summary>
    /// <example>05</example>
    [MaxLength(RecordRules.CodeNumberMax)]
    public string? CodeNumber { get; init; }

    /// <summary>Ký hiệu của văn bản (CodeNotation, 30), e.g. <c>QĐ-BNV</c>.</summary>
    /// <example>QĐ-BNV</example>
    [MaxLength(RecordRules.CodeNotationMax)]
    public string? CodeNotation { get; init; }

    /// <summary>Ngày, tháng, năm văn bản (IssuedDate).</summary>
    /// <example>2024-03-05</example>
    public DateOnly? IssuedDate { get; init; }

    /// <summary>Tên cơ quan, tổ chức ban hành văn bản (OrganName, 200).</summary>
    /// <example>Bộ Nội vụ</example>
    [MaxLength(200)]
    public string? OrganName { get; init; }

    /// <summary>Trích yếu nội dung (Subject, 500).</summary>
    /// <example>Về việc tuyển dụng công chức năm 2024</example>
    [MaxLength(RecordRules.SubjectMax)]
    public string? Subject { get; init; }

    /// <summary>Ngôn ngữ: an ISO 639 code, <c>vi</c> by default; <c>Tiếng Việt</c> is read as <c>vi</c>.</summary>
    /// <example>vi</example>
    [MaxLength(50)]
    public string Language { get; init; } = "vi";

    /// <summary>Số trang (PageAmount, 0–999); kept on update, or taken from the pages of uploaded PDF content, when left out.</summary>
    public int? PageAmount { get; init; }

    /// <summary>Ghi chú (Description, 500).</summary>
    [MaxLength(RecordRules.DescriptionMax)]
    public string? Description { get; init; }

    /// <summary>Chức vụ người ký (signer's position, 100).</summary>
    /// <example>Thứ trưởng</example>
    [MaxLength(100)]
    public string? SignerPosition { get; init; }

    /// <summary>Họ tên người ký (signer's full name, 50).</summary>
    /// <example>Nguyễn Văn Hùng</example>
    [MaxLength(50)]
    public string? SignerFullName { get; init; }

    /// <summary>Mức độ tin cậy (ConfidenceLevel); BornDigital when omitted or null.</summary>
    public Reliability? ConfidenceLevel { get; init; }
}

/// <summary>A document (văn bản) of a record file.</summary>
public sealed record DocumentDto
{
    /// <summary>Số thứ tự văn bản trong hồ sơ (DocOrdinal).</summary>
    /// <example>1</example>
    public int DocOrdinal { get; init; }

    /// <summary>Tên loại văn bản (TypeName).</summary>
    public string? TypeName { get; init; }

    /// <summary>Số của văn bản (CodeNumber).</summary>
    public string? CodeNumber { get; init; }

    /// <summary>Ký hiệu của văn bản (CodeNotation).</summary>
    public string? CodeNotation { get; init; }

    /// <summary>Số, ký hiệu as written, e.g. <c>05/QĐ-BNV</c>.</summary>
    /// <example>05/QĐ-BNV</example>
    public string? NumberAndSymbol { get; init; }

    /// <summary>Ngày, tháng, năm văn bản (IssuedDate).</summary>
    public DateOnly? IssuedDate { get; init; }

    /// <summary>Tên cơ quan, tổ chức ban hành văn bản (OrganName).</summary>
    public string? OrganName { get; init; }

    /// <summary>Trích yếu nội dung (Subject).</summary>
    public string? Subject { get; init; }

    /// <summary>Ngôn ngữ: an ISO 639 code such as <c>vi</c>.</summary>
    public string Language { get; init; } = "vi";

    /// <summary>Số trang (PageAmount).</summary>
    public int PageAmount { get; init; }

    /// <summary>Ghi chú (Description).</summary>
    public string? Description { get; init; }

    /// <summary>Chức vụ người ký.</summary>
    public string? SignerPosition { get; init; }

    /// <summary>Họ tên người ký.</summary>
    public string? SignerFullName { get; init; }

    /// <summary>Mức độ tin cậy (ConfidenceLevel).</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<Reliability>))]
    public Reliability ConfidenceLevel { get; init; }

    /// <summary>Set when the document was weeded out as non-archival (loại ra).</summary>
    public NonArchivalMarkDto? NonArchival { get; init; }

    /// <summary>Content files (the digital document itself).</summary>
    public IReadOnlyList<ContentFileDto> Contents { get; init; } = [];
}

/// <summary>A content file of a document.</summary>
public sealed record ContentFileDto
{
    /// <summary>File name (NFC), e.g. <c>Quyết định 05.pdf</c>.</summary>
    /// <example>Quyết định 05.pdf</example>
    public required string Name { get; init; }

    /// <summary>Media type.</summary>
    /// <example>application/pdf</example>
    public required string MediaType { get; init; }

    /// <summary>Size in bytes.</summary>
    public long Length { get; init; }

    /// <summary>Lower-case hex SHA-256 (also the download's ETag).</summary>
    public required string Sha256 { get; init; }

    /// <summary>Text extraction outcome: NotApplicable, Extracted, Empty (no text layer), Failed (see textFailureReason), PendingOcr, Recognized, RecognizedEmpty, OcrFailed, OcrUnavailable.</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<TextExtractionStatus>))]
    public TextExtractionStatus TextStatus { get; init; }

    /// <summary>True when the extracted text was cut at Archive:MaxExtractedTextChars (the content itself is whole).</summary>
    public bool TextTruncated { get; init; }

    /// <summary>Why no text could be extracted (Vietnamese), when textStatus is Failed.</summary>
    /// <example>Tệp nén vượt giới hạn an toàn (có thể là "bom nén"): không trích xuất văn bản.</example>
    public string? TextFailureReason { get; init; }
}

/// <summary>Weeds a record file (no <c>docOrdinal</c>) or one document out as non-archival material.</summary>
public sealed record MarkNonArchivalRequest
{
    /// <summary>The document (số thứ tự văn bản); the whole record file when left out.</summary>
    public int? DocOrdinal { get; init; }

    /// <summary>Kind of material: Book (sách), Newspaper (báo), Magazine (tạp chí), Draft (bản thảo), ReferenceCopy (tài liệu tham khảo, bản sao), Other.</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<NonArchivalKind>))]
    public required NonArchivalKind Kind { get; init; }

    /// <summary>Lý do loại ra (mandatory).</summary>
    /// <example>Bản sao trùng</example>
    public required string Reason { get; init; }
}

/// <summary>Takes a weeding mark back (a review decision reversed).</summary>
public sealed record ClearNonArchivalRequest
{
    /// <summary>The document; the whole record file when left out.</summary>
    public int? DocOrdinal { get; init; }

    /// <summary>Why the material is archival after all (mandatory).</summary>
    public required string Reason { get; init; }
}

/// <summary>Places or lifts a legal hold (freeze by a competent authority).</summary>
public sealed record LegalHoldRequest
{
    /// <summary>True to place the hold, false to lift it.</summary>
    public required bool Hold { get; init; }

    /// <summary>The authority's decision (mandatory).</summary>
    /// <example>Quyết định tạm giữ số 12/QĐ-TTr</example>
    public required string Reason { get; init; }
}

/// <summary>A weeded-out record file or document (listed apart; never transferred).</summary>
public sealed record NonArchivalEntryDto
{
    /// <summary>Mã hồ sơ.</summary>
    public required string FileCode { get; init; }

    /// <summary>The document, or null when the whole file was weeded out.</summary>
    public int? DocOrdinal { get; init; }

    /// <summary>The file title or the document's trích yếu.</summary>
    public string? Title { get; init; }

    /// <summary>Kind of material.</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<NonArchivalKind>))]
    public NonArchivalKind Kind { get; init; }

    /// <summary>Lý do loại ra.</summary>
    public required string Reason { get; init; }

    /// <summary>When.</summary>
    public DateTimeOffset MarkedAt { get; init; }

    /// <summary>Who.</summary>
    public string? MarkedBy { get; init; }
}

/// <summary>The fixity check (kiểm tra tính toàn vẹn) of a record file's package: every stored file re-hashed.</summary>
public sealed record FixityReportDto
{
    /// <summary>The package (the file code).</summary>
    public required string PackageId { get; init; }

    /// <summary>When the check ran.</summary>
    public DateTimeOffset CheckedAt { get; init; }

    /// <summary>Content files re-hashed.</summary>
    public int FilesChecked { get; init; }

    /// <summary>Bytes re-hashed.</summary>
    public long BytesChecked { get; init; }

    /// <summary>Whether the package is intact.</summary>
    public bool IsValid { get; init; }

    /// <summary>Every problem found.</summary>
    public IReadOnlyList<FixityProblemDto> Problems { get; init; } = [];
}

/// <summary>One fixity problem.</summary>
public sealed record FixityProblemDto
{
    /// <summary>ContentDigestMismatch, ContentMissing, InventoryCorrupt or UnexpectedFile.</summary>
    public required string Kind { get; init; }

    /// <summary>The stored path concerned.</summary>
    public required string Path { get; init; }

    /// <summary>Expected and actual values.</summary>
    public required string Detail { get; init; }
}

/// <summary>One page of record files.</summary>
public sealed record RecordFilePageDto
{
    /// <summary>The record files of this page (storage order: stable, not sorted).</summary>
    public IReadOnlyList<RecordFileDto> Items { get; init; } = [];

    /// <summary>Pass as <c>after</c> to get the next page; null on the last page.</summary>
    public string? NextAfter { get; init; }
}

/// <summary>
/// The <c>manifest</c> part of <c>POST /record-files/import</c>: a whole record file (hồ sơ) with its documents and
/// the names of the form parts that carry their content files.
/// </summary>
public sealed record RecordFileImportRequest
{
    /// <summary>The record file's elements (as for <c>POST /record-files</c>).</summary>
    public required RecordFileRequest File { get; init; }

    /// <summary>Its documents in order, each with its content files.</summary>
    public IReadOnlyList<DocumentImportRequest> Documents { get; init; } = [];
}

/// <summary>A document of an import with the form parts of its content files.</summary>
public sealed record DocumentImportRequest
{
    /// <summary>The document's elements (as for <c>POST .../documents</c>).</summary>
    public required DocumentRequest Document { get; init; }

    /// <summary>Its content files.</summary>
    public IReadOnlyList<ContentImportRequest> Contents { get; init; } = [];
}

/// <summary>A content file of an import: which form part carries it, and its name, media type and digest.</summary>
public sealed record ContentImportRequest
{
    /// <summary>The form field name of the part with the bytes (each part is used once).</summary>
    /// <example>file1</example>
    public required string Part { get; init; }

    /// <summary>The content file's name (one path segment; NFC).</summary>
    /// <example>quyet-dinh-12.pdf</example>
    public required string FileName { get; init; }

    /// <summary>Media type; the part's Content-Type when left out (sniffed when that is application/octet-stream).</summary>
    public string? MediaType { get; init; }

    /// <summary>Expected hex SHA-256; the import is refused when the content differs.</summary>
    public string? Sha256 { get; init; }
}

using Archive.Retention;

namespace Archive.Records;

/// <summary>Whether the work a record file documents is finished (Circular 06/2025 inventory split).</summary>
public enum RecordFileStatus
{
    /// <summary>Hồ sơ đã giải quyết xong.</summary>
    Finished = 0,

    /// <summary>Hồ sơ chưa giải quyết xong — carries a mandatory note and is packaged apart at handover.</summary>
    Unfinished = 1,
}

/// <summary>Physical condition (tình trạng vật lý, Circular 05/2025 <c>Format</c>).</summary>
public enum PhysicalCondition
{
    /// <summary>Tốt.</summary>
    Good = 0,

    /// <summary>Bình thường.</summary>
    Normal = 1,

    /// <summary>Hỏng.</summary>
    Damaged = 2,
}

/// <summary>Reliability of the content (mức độ tin cậy, Circular 05/2025 <c>ConfidenceLevel</c>).</summary>
public enum Reliability
{
    /// <summary>Gốc điện tử — born digital.</summary>
    BornDigital = 0,

    /// <summary>Số hóa — digitised from paper.</summary>
    Digitised = 1,

    /// <summary>Hỗn hợp — mixed.</summary>
    Mixed = 2,
}

/// <summary>Kinds of non-archival material weeded out during review (loại ra khi chỉnh lý).</summary>
public enum NonArchivalKind
{
    /// <summary>Sách.</summary>
    Book = 0,

    /// <summary>Báo.</summary>
    Newspaper = 1,

    /// <summary>Tạp chí.</summary>
    Magazine = 2,

    /// <summary>Bản thảo, dự thảo.</summary>
    Draft = 3,

    /// <summary>Tài liệu tham khảo, bản sao.</summary>
    ReferenceCopy = 4,

    /// <summary>Khác (the reason says what).</summary>
    Other = 5,
}

/// <summary>A weeding mark: the material is not archival and never enters a handover catalogue or a transfer.</summary>
/// <param name="Kind">What kind of material.</param>
/// <param name="Reason">Why (mandatory).</param>
/// <param name="MarkedAt">When.</param>
/// <param name="MarkedBy">Who.</param>
public sealed record NonArchivalMark(NonArchivalKind Kind, string Reason, DateTimeOffset MarkedAt, string? MarkedBy);

/// <summary>
/// A record file (hồ sơ) — Decree 30/2020 Appendix VI elements plus the Circular 05/2025 additions. Stored as one
/// versioned archival package; every change is a new version.
/// </summary>
public sealed record RecordFile
{
    /// <summary>Mã hồ sơ: <c>OrganId.FileCatalog.FileNotation</c>, e.g. <c>000.00.00.G09.2010.01.TH</c>.</summary>
    public required string FileCode { get; init; }

    /// <summary>Mã cơ quan lưu trữ (Decree 30 <c>OrganId</c>, 13 characters in the QCVN form).</summary>
    public required string OrganId { get; init; }

    /// <summary>Năm hình thành hồ sơ (Decree 30 <c>FileCatalog</c>).</summary>
    public required int FileCatalog { get; init; }

    /// <summary>Số và ký hiệu hồ sơ (Decree 30 <c>FileNotation</c>), e.g. <c>01.TCCB</c>.</summary>
    public required string FileNotation { get; init; }

    /// <summary>The fonds the file belongs to.</summary>
    public required string FondsCode { get; init; }

    /// <summary>Tiêu đề hồ sơ (<c>Title</c>, 500).</summary>
    public required string Title { get; init; }

    /// <summary>Thời hạn lưu trữ (Decree 30 <c>Maintenance</c>; formerly thời hạn bảo quản).</summary>
    public required RetentionPeriod Maintenance { get; init; }

    /// <summary>The retention schedule item the file is classified to.</summary>
    public string? ScheduleItemCode { get; init; }

    /// <summary>Mức độ tiếp cận (Circular 05/2025; Decree 30 <c>Rights</c>, formerly chế độ sử dụng).</summary>
    public AccessLevel Rights { get; init; } = AccessLevel.Public;

    /// <summary>Người lập hồ sơ (<c>Creator</c>, 30).</summary>
    public string? Creator { get; init; }

    /// <summary>Ngôn ngữ (<c>Language</c>, 50).</summary>
    public string Language { get; init; } = "Tiếng Việt";

    /// <summary>Thời gian bắt đầu (<c>StartDate</c>).</summary>
    public DateOnly? StartDate { get; init; }

    /// <summary>Thời gian kết thúc (<c>EndDate</c>); its year is the closing year retention counts from.</summary>
    public DateOnly? EndDate { get; init; }

    /// <summary>Tổng số văn bản (<c>DocTotal</c>) — computed.</summary>
    public int DocTotal { get; init; }

    /// <summary>Tổng số trang (<c>PageTotal</c>) — computed.</summary>
    public int PageTotal { get; init; }

    /// <summary>Ghi chú (<c>Description</c>, 500).</summary>
    public string? Description { get; init; }

    /// <summary>Ký hiệu thông tin (<c>InforSign</c>, 30).</summary>
    public string? InforSign { get; init; }

    /// <summary>Từ khóa (<c>Keyword</c>).</summary>
    public IReadOnlyList<string> Keywords { get; init; } = [];

    /// <summary>Số lượng tờ (<c>SheetNumber</c>).</summary>
    public int? SheetNumber { get; init; }

    /// <summary>Tình trạng vật lý (<c>Format</c>).</summary>
    public PhysicalCondition? Format { get; init; }

    /// <summary>Mức độ tin cậy (<c>ConfidenceLevel</c>).</summary>
    public Reliability? ConfidenceLevel { get; init; }

    /// <summary>Mã hồ sơ giấy gốc — the paper file a digitised file comes from.</summary>
    public string? PaperFileCode { get; init; }

    /// <summary>Finished or unfinished.</summary>
    public RecordFileStatus Status { get; init; } = RecordFileStatus.Finished;

    /// <summary>Why the work is unfinished and what remains (mandatory when <see cref="Status"/> is unfinished).</summary>
    public string? UnfinishedNote { get; init; }

    /// <summary>Set when the whole file was weeded out as non-archival.</summary>
    public NonArchivalMark? NonArchival { get; init; }

    /// <summary>Frozen by a competent authority (legal hold): never destroyed.</summary>
    public bool LegalHold { get; init; }

    /// <summary>Set once the file was accessioned by the Historical Archives.</summary>
    public DateTimeOffset? AccessionedAt { get; init; }

    /// <summary>Where the paper file is kept (kho, giá, khoang, hộp); null for a file with no paper.</summary>
    public PhysicalLocation? Location { get; init; }

    /// <summary>The digitised copy carried on a storage device, and its seal; null when none.</summary>
    public DigitalCarrier? Carrier { get; init; }

    /// <summary>Documents, by <see cref="Document.DocOrdinal"/>.</summary>
    public IReadOnlyList<Document> Documents { get; init; } = [];

    /// <summary>Builds the file code from its parts.</summary>
    public static string ComposeFileCode(string organId, int fileCatalog, string fileNotation)
        => $"{organId}.{fileCatalog:D4}.{fileNotation}";
}

/// <summary>Where a paper record file is kept: storage room (kho), shelf (giá), compartment (khoang) and box (hộp).</summary>
public sealed record PhysicalLocation
{
    /// <summary>Mã kho — the storage room's code, registered to the agency whose storage it is.</summary>
    public required string RoomCode { get; init; }

    /// <summary>Giá (shelf or rack), e.g. <c>03</c>.</summary>
    public string? Shelf { get; init; }

    /// <summary>Khoang (compartment of the shelf), e.g. <c>2</c>.</summary>
    public string? Compartment { get; init; }

    /// <summary>Số hộp (box number) within the room, e.g. <c>12</c>.</summary>
    public required string BoxNumber { get; init; }

    /// <summary>Số thứ tự của hồ sơ trong hộp (the file's position in the box), when numbered.</summary>
    public int? PositionInBox { get; init; }
}

/// <summary>A storage device (vật mang tin) that carries the digitised copy of a record file, and the seal on it.</summary>
public sealed record DigitalCarrier
{
    /// <summary>Loại vật mang tin, e.g. ổ cứng di động, đĩa quang, USB.</summary>
    public required string Medium { get; init; }

    /// <summary>Ký hiệu/số hiệu của thiết bị (the device's label or serial).</summary>
    public string? DeviceLabel { get; init; }

    /// <summary>Số niêm phong (seal number) on the device, when sealed.</summary>
    public string? SealNumber { get; init; }
}

/// <summary>Người ký.</summary>
/// <param name="Position">Chức vụ (100).</param>
/// <param name="FullName">Họ tên (50).</param>
public sealed record Signer(string? Position, string? FullName);

/// <summary>A document (văn bản, tài liệu) inside a record file.</summary>
public sealed record Document
{
    /// <summary>Số thứ tự văn bản trong hồ sơ (<c>DocOrdinal</c>, 1-based).</summary>
    public required int DocOrdinal { get; init; }

    /// <summary>Tên loại văn bản (<c>TypeName</c>, 100), e.g. Công văn, Quyết định.</summary>
    public string? TypeName { get; init; }

    /// <summary>Số của văn bản (<c>CodeNumber</c>, 11), e.g. <c>05</c>.</summary>
    public string? CodeNumber { get; init; }

    /// <summary>Ký hiệu của văn bản (<c>CodeNotation</c>, 30), e.g. <c>BNV-VP</c>.</summary>
    public string? CodeNotation { get; init; }

    /// <summary>Ngày, tháng, năm văn bản (<c>IssuedDate</c>).</summary>
    public DateOnly? IssuedDate { get; init; }

    /// <summary>Tên cơ quan, tổ chức ban hành (<c>OrganName</c>, 200).</summary>
    public string? OrganName { get; init; }

    /// <summary>Trích yếu nội dung (<c>Subject</c>, 500).</summary>
    public string? Subject { get; init; }

    /// <summary>Ngôn ngữ.</summary>
    public string Language { get; init; } = "Tiếng Việt";

    /// <summary>Số trang (<c>PageAmount</c>).</summary>
    public int PageAmount { get; init; }

    /// <summary>Ghi chú (<c>Description</c>, 500).</summary>
    public string? Description { get; init; }

    /// <summary>Người ký (<c>SignerInfo</c>).</summary>
    public Signer? SignerInfo { get; init; }

    /// <summary>Mức độ tin cậy.</summary>
    public Reliability ConfidenceLevel { get; init; } = Reliability.BornDigital;

    /// <summary>Content files (the digital document itself), stored in the record file's package.</summary>
    public IReadOnlyList<ContentFile> Contents { get; init; } = [];

    /// <summary>Set when the document was weeded out as non-archival.</summary>
    public NonArchivalMark? NonArchival { get; init; }

    /// <summary>The number and symbol as written, e.g. <c>05/BNV-VP</c>; null when either part is missing.</summary>
    public string? NumberAndSymbol => CodeNumber is null || CodeNotation is null ? null : $"{CodeNumber}/{CodeNotation}";
}

/// <summary>A content file of a document.</summary>
/// <param name="Name">The original file name (NFC), e.g. <c>Công văn 05.pdf</c>.</param>
/// <param name="LogicalPath">Path inside the package.</param>
/// <param name="MediaType">Media type, e.g. <c>application/pdf</c>.</param>
/// <param name="Length">Size in bytes.</param>
/// <param name="Sha256">Lower-case hex SHA-256.</param>
public sealed record ContentFile(string Name, string LogicalPath, string MediaType, long Length, string Sha256)
{
    /// <summary>Whether text was extracted from the content at ingest (for search and page-level highlights).</summary>
    public TextExtractionStatus TextStatus { get; init; }

    /// <summary>
    /// Path inside the package of the extracted text (a JSON array of page texts; a sheet or section with a label is
    /// <c>{"label", "text"}</c>), when there is one.
    /// </summary>
    public string? TextPath { get; init; }

    /// <summary>True when the extracted text was cut at the engine's limit (<c>ArchiveOptions.MaxExtractedTextChars</c>); the content itself is whole.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public bool TextTruncated { get; init; }

    /// <summary>Why the text could not be extracted (Vietnamese, for the clerk) when <see cref="TextStatus"/> is <see cref="TextExtractionStatus.Failed"/>.</summary>
    public string? TextFailureReason { get; init; }
}

/// <summary>Outcome of text extraction for a content file.</summary>
public enum TextExtractionStatus
{
    /// <summary>No extractor handles this media type (no text).</summary>
    NotApplicable = 0,

    /// <summary>Text was extracted page by page.</summary>
    Extracted = 1,

    /// <summary>The content was read but holds no text (e.g. a scanned PDF without a text layer).</summary>
    Empty = 2,

    /// <summary>The content could not be read (damaged or unsupported); it is stored all the same.</summary>
    Failed = 3,

    /// <summary>
    /// Scanned content (an image, or a PDF without a text layer) waiting for OCR by the background job
    /// (<see cref="ITextRecognizer"/>); ingest does not wait for it.
    /// </summary>
    PendingOcr = 4,

    /// <summary>Text was recognized by OCR, page by page (stored and searched like extracted text).</summary>
    Recognized = 5,

    /// <summary>OCR ran but found no text on any page.</summary>
    RecognizedEmpty = 6,

    /// <summary>OCR failed on every attempt (e.g. a damaged scan or a timeout); the content is stored all the same.</summary>
    OcrFailed = 7,

    /// <summary>The OCR tools or language model (e.g. tesseract, its <c>vie</c> model) are not installed; nothing was recognized.</summary>
    OcrUnavailable = 8,
}

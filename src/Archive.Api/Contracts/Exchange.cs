namespace Archive.Api.Contracts;

/// <summary>Start building a handover package (bàn giao) for the successor agency.</summary>
public sealed record StartHandoverRequest
{
    /// <summary>The fonds handed over (phông lưu trữ).</summary>
    /// <example>H26.01</example>
    [System.ComponentModel.DataAnnotations.Required]
    public string? FondsCode { get; init; }

    /// <summary>The receiving agency; when omitted, the successor named by <see cref="EventId"/> for this fonds.</summary>
    /// <example>000.04.31.H26</example>
    public string? ReceivingAgencyId { get; init; }

    /// <summary>The reorganisation event the handover belongs to.</summary>
    /// <example>2025-NQ-1656</example>
    public string? EventId { get; init; }

    /// <summary>A selection of the fonds' record files; the whole fonds (weeded files left out) when omitted.</summary>
    public IReadOnlyList<string>? FileCodes { get; init; }

    /// <summary>What the printed documents say beyond the archive's data; dotted lines to fill by hand when omitted.</summary>
    public HandoverDocumentsRequest? Documents { get; init; }
}

/// <summary>What the handover record (biên bản giao nhận) and catalogues print that the archive does not know.</summary>
public sealed record HandoverDocumentsRequest
{
    /// <summary>Legal basis (căn cứ), one per line; the Archives Law and Circular 06/2025 when omitted.</summary>
    public IReadOnlyList<string>? LegalBasis { get; init; }

    /// <summary>Place for the date line (địa danh).</summary>
    /// <example>An Bình</example>
    public string? Place { get; init; }

    /// <summary>Where the handover takes place.</summary>
    public string? Venue { get; init; }

    /// <summary>Number of the handover record.</summary>
    /// <example>01/BB-VP</example>
    public string? RecordNumber { get; init; }

    /// <summary>Representatives of the handing agency (the first one signs).</summary>
    public IReadOnlyList<PersonDto>? HandingRepresentatives { get; init; }

    /// <summary>Representatives of the receiving agency (the first one signs).</summary>
    public IReadOnlyList<PersonDto>? ReceivingRepresentatives { get; init; }

    /// <summary>Condition of the records (tình trạng tài liệu).</summary>
    public string? Condition { get; init; }

    /// <summary>Who compiled the catalogues (người lập); the caller when omitted.</summary>
    public string? CompiledBy { get; init; }
}

/// <summary>A person who signs.</summary>
public sealed record PersonDto
{
    /// <summary>Full name.</summary>
    /// <example>Nguyễn Văn An</example>
    public string? FullName { get; init; }

    /// <summary>Position.</summary>
    /// <example>Chánh Văn phòng</example>
    public string? Position { get; init; }
}

/// <summary>Start building a submission package (nộp lưu) for the Historical Archives.</summary>
public sealed record StartTransferRequest
{
    /// <summary>The submitting agency (holder of the files).</summary>
    /// <example>000.04.31.H26</example>
    [System.ComponentModel.DataAnnotations.Required]
    public string? SubmittingAgencyId { get; init; }

    /// <summary>The Historical Archives, identified like an agency.</summary>
    /// <example>000.00.90.H26</example>
    [System.ComponentModel.DataAnnotations.Required]
    public string? ArchivesAgencyId { get; init; }

    /// <summary>Its name on the documents (the registered name when omitted).</summary>
    /// <example>Lưu trữ lịch sử tỉnh</example>
    public string? ArchivesName { get; init; }

    /// <summary>Explicit selection of permanent, finished files; the transfer due list when omitted.</summary>
    public IReadOnlyList<string>? FileCodes { get; init; }

    /// <summary>Only this fonds (due list).</summary>
    public string? FondsCode { get; init; }

    /// <summary>Date of the due list (today when omitted).</summary>
    public DateOnly? AsOf { get; init; }

    /// <summary>Legal basis written into the transfer record (căn cứ).</summary>
    /// <example>Kế hoạch số 12/KH-UBND ngày 01/08/2025</example>
    public string? LegalBasis { get; init; }
}

/// <summary>Open the receipt of a package: announce an upload, or name a package on a server folder (a storage device).</summary>
public sealed record OpenReceiptRequest
{
    /// <summary>The receiving agency (handover receipt) or the Historical Archives' own agency id (accession): the caller's agency.</summary>
    /// <example>000.04.31.H26</example>
    [System.ComponentModel.DataAnnotations.Required]
    public string? AgencyId { get; init; }

    /// <summary>Length in bytes of the package you will upload with PUT .../package (give this or sourcePath).</summary>
    /// <example>10485760</example>
    public long? Length { get; init; }

    /// <summary>SHA-256 (hex) of the package; checked when the upload completes.</summary>
    public string? Sha256 { get; init; }

    /// <summary>A package (tar file or bag folder) under one of the server's Archive:Exchange:ImportRoots, instead of an upload.</summary>
    /// <example>/media/usb0/ban-giao-H26.01.tar</example>
    public string? SourcePath { get; init; }
}

/// <summary>Accept a verified package.</summary>
public sealed record AcceptPackageRequest
{
    /// <summary>Accessions: number of the transfer record (biên bản); BBTN-&lt;transfer id&gt; when omitted.</summary>
    /// <example>15/BB-LTLS</example>
    public string? Reference { get; init; }

    /// <summary>Accessions: who receives for the Historical Archives (the caller when omitted).</summary>
    /// <example>Trần Thị Bình</example>
    public string? Representative { get; init; }
}

/// <summary>Decline a received package.</summary>
public sealed record DeclinePackageRequest
{
    /// <summary>Why (recorded in the audit trail).</summary>
    /// <example>Gói tin bị hỏng khi sao chép; đề nghị bàn giao lại.</example>
    public string? Reason { get; init; }
}

/// <summary>
/// A package job: a handover or transfer being built (then downloadable), or a package received (uploaded, verified,
/// accepted or declined). Poll it until <c>state</c> settles.
/// </summary>
public sealed record PackageJobDto
{
    /// <summary>Identifier.</summary>
    /// <example>h-3f2b9c0e8a7d4e6f9b1c2d3e4f5a6b7c</example>
    public required string Id { get; init; }

    /// <summary>handoverExport, transferExport, handoverReceipt or accession.</summary>
    public required string Kind { get; init; }

    /// <summary>
    /// uploading, queued, running, completed (exports: download ready), verifying, verified (may be accepted), rejected
    /// (see problems; nothing changed), accepting, accepted, declined, failed (see error), cancelled.
    /// </summary>
    /// <example>completed</example>
    public required string State { get; init; }

    /// <summary>When created.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When last changed.</summary>
    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>Who created it.</summary>
    public string? CreatedBy { get; init; }

    /// <summary>The handing or submitting agency.</summary>
    public string? FromAgencyId { get; init; }

    /// <summary>The receiving agency or Historical Archives.</summary>
    public string? ToAgencyId { get; init; }

    /// <summary>The fonds.</summary>
    public string? FondsCode { get; init; }

    /// <summary>The reorganisation event.</summary>
    public string? EventId { get; init; }

    /// <summary>Transfers and accessions: the package identifier (METS OBJID).</summary>
    public string? TransferId { get; init; }

    /// <summary>Record files in the package: exports, those planned; handover receipts, those its catalogue lists (once verified); accessions, those accessioned (once accepted).</summary>
    public IReadOnlyList<string> FileCodes { get; init; } = [];

    /// <summary>Files done so far.</summary>
    public int FilesDone { get; init; }

    /// <summary>Files in all.</summary>
    public int FilesTotal { get; init; }

    /// <summary>Bytes done (written, received or verified).</summary>
    public long BytesDone { get; init; }

    /// <summary>Bytes in all.</summary>
    public long BytesTotal { get; init; }

    /// <summary>Why the job failed.</summary>
    public string? Error { get; init; }

    /// <summary>Verification report: every problem, by file (empty when sound).</summary>
    public IReadOnlyList<PackageProblemDto> Problems { get; init; } = [];

    /// <summary>File name of the package.</summary>
    public string? PackageName { get; init; }

    /// <summary>Its length in bytes.</summary>
    public long? PackageLength { get; init; }

    /// <summary>Its SHA-256 (hex), also the download's ETag.</summary>
    public string? PackageSha256 { get; init; }

    /// <summary>Whether the package is sealed.</summary>
    public bool Sealed { get; init; }

    /// <summary>What the seal is: who sealed it, or why it is unsealed or not trusted.</summary>
    public string? SealNote { get; init; }

    /// <summary>Subject of the certificate that sealed a received package.</summary>
    public string? Signer { get; init; }

    /// <summary>Documents downloadable on their own (GET .../documents/{name}).</summary>
    public IReadOnlyList<string> Documents { get; init; } = [];

    /// <summary>Accessions: files an earlier run had already accessioned.</summary>
    public IReadOnlyList<string> AlreadyAccessioned { get; init; } = [];

    /// <summary>Declined: why.</summary>
    public string? DeclineReason { get; init; }

    /// <summary>Transfers: record files marked transferred when the completed record was recorded back.</summary>
    public IReadOnlyList<string> Confirmed { get; init; } = [];

    /// <summary>Accessions (and confirmed transfers): the completed transfer record; post it to the submitting agency's POST /transfers/{id}/confirmation.</summary>
    public TransferRecordDto? TransferRecord { get; init; }
}

/// <summary>One problem found in a package.</summary>
public sealed record PackageProblemDto
{
    /// <summary>unsafePath, link, duplicate, tooLarge, missingFile, extraFile, checksumMismatch, badManifest, oxumMismatch, signature, mismatch...</summary>
    /// <example>checksumMismatch</example>
    public required string Kind { get; init; }

    /// <summary>The file concerned, relative to the package.</summary>
    /// <example>data/finished/000.01.31.H26.2024.01.VP/content/001/quyet-dinh.pdf</example>
    public string? Path { get; init; }

    /// <summary>What is wrong.</summary>
    public required string Detail { get; init; }
}

/// <summary>A party to the transfer record.</summary>
public sealed record TransferPartyDto
{
    /// <summary>Agency id.</summary>
    public required string AgencyId { get; init; }

    /// <summary>Name.</summary>
    public required string Name { get; init; }

    /// <summary>Representative.</summary>
    public string? Representative { get; init; }
}

/// <summary>A fonds named in the transfer record.</summary>
public sealed record TransferFondsDto
{
    /// <summary>Fonds code.</summary>
    public required string Key { get; init; }

    /// <summary>Fonds name.</summary>
    public required string Value { get; init; }
}

/// <summary>
/// The transfer record (biên bản giao nhận tài liệu nộp lưu, Circular 06/2025): drafted by the submitting agency,
/// completed (reference, accession date, verified) by the Historical Archives at accession.
/// </summary>
public sealed record TransferRecordDto
{
    /// <summary>Package identifier.</summary>
    public required string TransferId { get; init; }

    /// <summary>Legal basis.</summary>
    public string? LegalBasis { get; init; }

    /// <summary>Submitting agency.</summary>
    public required TransferPartyDto Submitting { get; init; }

    /// <summary>Historical Archives.</summary>
    public required TransferPartyDto Receiving { get; init; }

    /// <summary>Fonds transferred (code, name).</summary>
    public required IReadOnlyList<TransferFondsDto> Fonds { get; init; }

    /// <summary>Description of the records block.</summary>
    public required string RecordsBlock { get; init; }

    /// <summary>Earliest date.</summary>
    public DateOnly? From { get; init; }

    /// <summary>Latest date.</summary>
    public DateOnly? To { get; init; }

    /// <summary>Record files.</summary>
    public int RecordFiles { get; init; }

    /// <summary>Record files in words.</summary>
    public required string RecordFilesInWords { get; init; }

    /// <summary>Documents.</summary>
    public int Documents { get; init; }

    /// <summary>Pages.</summary>
    public int Pages { get; init; }

    /// <summary>Digital files.</summary>
    public int DigitalFiles { get; init; }

    /// <summary>Their bytes.</summary>
    public long DigitalBytes { get; init; }

    /// <summary>Secret record files among them.</summary>
    public int SecretFiles { get; init; }

    /// <summary>Condition.</summary>
    public required string Condition { get; init; }

    /// <summary>The catalogue attached.</summary>
    public required string CatalogueAttached { get; init; }

    /// <summary>The record files.</summary>
    public required IReadOnlyList<string> FileCodes { get; init; }

    /// <summary>When the draft was prepared.</summary>
    public DateTimeOffset PreparedAt { get; init; }

    /// <summary>Number of the signed record (set by the Historical Archives).</summary>
    public string? Reference { get; init; }

    /// <summary>When accessioned (set by the Historical Archives).</summary>
    public DateTimeOffset? AccessionedAt { get; init; }

    /// <summary>Whether the Historical Archives verified the package.</summary>
    public bool Verified { get; init; }
}

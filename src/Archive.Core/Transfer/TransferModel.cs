using System.Security.Cryptography.X509Certificates;
using Archive.Handover;

namespace Archive.Transfer;

/// <summary>What to transfer to the Historical Archives (nộp lưu vào Lưu trữ lịch sử).</summary>
public sealed record TransferRequest
{
    /// <summary>
    /// The submitting agency (cơ quan nộp lưu): the custodian of the fonds whose files are transferred (after a
    /// reorganisation, the successor holding a closed fonds).
    /// </summary>
    public required string SubmittingAgencyId { get; init; }

    /// <summary>The receiving Historical Archives (Lưu trữ lịch sử), identified like an agency.</summary>
    public required string ArchivesAgencyId { get; init; }

    /// <summary>Name of the Historical Archives, for the documents; the registered agency name (or the id) when null.</summary>
    public string? ArchivesName { get; init; }

    /// <summary>
    /// An explicit selection of permanent record files. When null, every file the retention engine lists as due for
    /// transfer on <see cref="AsOf"/> and held by the submitting agency (optionally only of <see cref="FondsCode"/>).
    /// </summary>
    public IReadOnlyList<string>? FileCodes { get; init; }

    /// <summary>Only files of this fonds (due list only).</summary>
    public string? FondsCode { get; init; }

    /// <summary>Date of the due list (today when null).</summary>
    public DateOnly? AsOf { get; init; }

    /// <summary>Package identifier (METS <c>OBJID</c>); generated when null.</summary>
    public string? TransferId { get; init; }

    /// <summary>Legal basis written into the transfer record (căn cứ), e.g. the transfer plan's decision.</summary>
    public string? LegalBasis { get; init; }

    /// <summary>The submitting agency's certificate with its private key: <c>METS.xml</c> is sealed when given.</summary>
    public X509Certificate2? SealCertificate { get; init; }
}

/// <summary>Progress of a SIP export.</summary>
/// <param name="FilesDone">Content files written.</param>
/// <param name="FilesTotal">Content files to write.</param>
/// <param name="BytesDone">Content bytes written.</param>
/// <param name="BytesTotal">Content bytes to write.</param>
/// <param name="CurrentPath">The file just written (relative to the package).</param>
public sealed record TransferProgress(int FilesDone, int FilesTotal, long BytesDone, long BytesTotal, string? CurrentPath);

/// <summary>One line of the deposit catalogue (mục lục hồ sơ, tài liệu nộp lưu).</summary>
public sealed record DepositRow
{
    /// <summary>Số thứ tự.</summary>
    public required int No { get; init; }

    /// <summary>Mã hồ sơ.</summary>
    public required string FileCode { get; init; }

    /// <summary>Fonds.</summary>
    public required string FondsCode { get; init; }

    /// <summary>Số và ký hiệu hồ sơ.</summary>
    public required string FileNotation { get; init; }

    /// <summary>Tiêu đề hồ sơ.</summary>
    public required string Title { get; init; }

    /// <summary>Thời gian bắt đầu.</summary>
    public DateOnly? StartDate { get; init; }

    /// <summary>Thời gian kết thúc.</summary>
    public DateOnly? EndDate { get; init; }

    /// <summary>Thời hạn lưu trữ (Vĩnh viễn).</summary>
    public required string RetentionText { get; init; }

    /// <summary>Mức độ tiếp cận (kept as given; Secret files travel with their level).</summary>
    public required AccessLevel Rights { get; init; }

    /// <summary>Số tờ.</summary>
    public int? Sheets { get; init; }

    /// <summary>Số trang.</summary>
    public int Pages { get; init; }

    /// <summary>Số văn bản (archival documents).</summary>
    public int Documents { get; init; }

    /// <summary>Digital content files.</summary>
    public int DigitalFiles { get; init; }

    /// <summary>Ghi chú.</summary>
    public string? Notes { get; init; }

    /// <summary>Folder of the file's content in the package.</summary>
    public required string PackagePath { get; init; }
}

/// <summary>The deposit catalogue (mục lục hồ sơ, tài liệu nộp lưu).</summary>
public sealed record DepositCatalogue
{
    /// <summary>Package identifier.</summary>
    public required string TransferId { get; init; }

    /// <summary>Submitting agency.</summary>
    public required string SubmittingAgencyId { get; init; }

    /// <summary>Rows, by fonds then file code.</summary>
    public required IReadOnlyList<DepositRow> Files { get; init; }

    /// <summary>Total in figures.</summary>
    public int Total => Files.Count;

    /// <summary>Total in words (bằng chữ), e.g. <c>ba hồ sơ</c>.</summary>
    public required string TotalInWords { get; init; }
}

/// <summary>A party to the transfer record.</summary>
/// <param name="AgencyId">Agency identifier.</param>
/// <param name="Name">Agency name.</param>
/// <param name="Representative">Person acting for it (name), when known.</param>
public sealed record TransferParty(string AgencyId, string Name, string? Representative);

/// <summary>
/// Data of the transfer record (biên bản thu nộp, Circular 06/2025): prepared by the submitting agency (draft, in
/// the package) and completed by the Historical Archives when it accepts the package.
/// </summary>
public sealed record TransferRecordData
{
    /// <summary>Package identifier.</summary>
    public required string TransferId { get; init; }

    /// <summary>Căn cứ (legal basis).</summary>
    public string? LegalBasis { get; init; }

    /// <summary>Bên giao nộp.</summary>
    public required TransferParty Submitting { get; init; }

    /// <summary>Bên thu nhận (the Historical Archives).</summary>
    public required TransferParty Receiving { get; init; }

    /// <summary>Fonds concerned (code and name).</summary>
    public required IReadOnlyList<KeyValuePair<string, string>> Fonds { get; init; }

    /// <summary>Tên khối tài liệu.</summary>
    public required string RecordsBlock { get; init; }

    /// <summary>Thời gian của tài liệu: earliest start date.</summary>
    public DateOnly? From { get; init; }

    /// <summary>Thời gian của tài liệu: latest end date.</summary>
    public DateOnly? To { get; init; }

    /// <summary>Số lượng hồ sơ.</summary>
    public required int RecordFiles { get; init; }

    /// <summary>Số lượng hồ sơ bằng chữ.</summary>
    public required string RecordFilesInWords { get; init; }

    /// <summary>Số lượng văn bản.</summary>
    public required int Documents { get; init; }

    /// <summary>Số trang.</summary>
    public required int Pages { get; init; }

    /// <summary>Số tệp số (digital content files).</summary>
    public required int DigitalFiles { get; init; }

    /// <summary>Dung lượng (bytes of digital content).</summary>
    public required long DigitalBytes { get; init; }

    /// <summary>Of which Secret (Mật) files.</summary>
    public int SecretFiles { get; init; }

    /// <summary>Tình trạng tài liệu.</summary>
    public string Condition { get; init; } = "Đầy đủ, toàn vẹn; mã kiểm tra SHA-256 khớp với từng tệp.";

    /// <summary>Công cụ tra cứu kèm theo (the deposit catalogue in the package).</summary>
    public required string CatalogueAttached { get; init; }

    /// <summary>File codes transferred.</summary>
    public required IReadOnlyList<string> FileCodes { get; init; }

    /// <summary>When the submitting agency prepared the package (ISO 8601, +07:00).</summary>
    public required DateTimeOffset PreparedAt { get; init; }

    /// <summary>Set by the Historical Archives: the number of the signed transfer record.</summary>
    public string? Reference { get; init; }

    /// <summary>Set by the Historical Archives: when it accepted and accessioned the package.</summary>
    public DateTimeOffset? AccessionedAt { get; init; }

    /// <summary>Set by the Historical Archives: every file was checked against the catalogue and its checksum.</summary>
    public bool Verified { get; init; }
}

/// <summary>Outcome of an export.</summary>
/// <param name="Path">The package folder or tar file.</param>
/// <param name="TransferId">Package identifier.</param>
/// <param name="Catalogue">The deposit catalogue written into it.</param>
/// <param name="Record">The draft transfer record written into it.</param>
/// <param name="Files">Files in the package (METS.xml and the seal excluded).</param>
/// <param name="Bytes">Their bytes.</param>
/// <param name="Sealed">Whether METS.xml was sealed.</param>
public sealed record SubmissionPackage(string Path, string TransferId, DepositCatalogue Catalogue, TransferRecordData Record, int Files, long Bytes, bool Sealed);

/// <summary>What the Historical Archives expects of a package it receives.</summary>
public sealed record AccessionReceipt
{
    /// <summary>The Historical Archives' own agency id: the package must be addressed to it, and it must be registered in its store.</summary>
    public required string ArchivesAgencyId { get; init; }

    /// <summary>The submitting agency's certificate: when given, METS.xml must be sealed by exactly this certificate.</summary>
    public X509Certificate2? ExpectedSigner { get; init; }

    /// <summary>The Historical Archives' trust list, used when <see cref="ExpectedSigner"/> is null; with neither, a seal is checked when present and any valid signer passes.</summary>
    public SealTrust? Trust { get; init; }

    /// <summary>Number of the transfer record (biên bản thu nộp); <c>BBTN-&lt;transfer id&gt;</c> when null.</summary>
    public string? Reference { get; init; }

    /// <summary>Name of the person receiving for the Historical Archives (the user's name when null).</summary>
    public string? Representative { get; init; }

    /// <summary>Largest single file accepted (default 4 GiB).</summary>
    public long MaxFileBytes { get; init; } = 4L << 30;

    /// <summary>Largest package accepted (default 64 GiB).</summary>
    public long MaxTotalBytes { get; init; } = 64L << 30;

    /// <summary>Most entries accepted in a tar (default 1,000,000).</summary>
    public int MaxEntries { get; init; } = 1_000_000;
}

/// <summary>Outcome of verifying a submission package.</summary>
public sealed record SipVerification
{
    /// <summary>Every problem (the same vocabulary as bag verification); empty when the package is sound.</summary>
    public required IReadOnlyList<BagProblem> Problems { get; init; }

    /// <summary>METS <c>OBJID</c>, when METS could be read.</summary>
    public string? TransferId { get; init; }

    /// <summary>Files checked.</summary>
    public int Files { get; init; }

    /// <summary>Bytes checked.</summary>
    public long Bytes { get; init; }

    /// <summary>Subject of the seal's certificate, when sealed and valid.</summary>
    public string? Signer { get; init; }

    /// <summary>Whether the package passed every check.</summary>
    public bool IsValid => Problems.Count == 0;
}

/// <summary>Outcome of an accession: accepted (records ingested) or rejected with every problem (nothing changed).</summary>
/// <param name="Accepted">Whether the package was accepted.</param>
/// <param name="Verification">The verification report.</param>
/// <param name="Record">The completed transfer record (biên bản thu nộp), when accepted.</param>
/// <param name="Accessioned">Record files accessioned by this run.</param>
/// <param name="AlreadyAccessioned">Record files that an earlier run of the same package had accessioned (left as they were).</param>
public sealed record AccessionResult(bool Accepted, SipVerification Verification, TransferRecordData? Record, IReadOnlyList<string> Accessioned, IReadOnlyList<string> AlreadyAccessioned)
{
    /// <summary>The deposit catalogue the package carried (mục lục hồ sơ, tài liệu nộp lưu), when accepted.</summary>
    public DepositCatalogue? Catalogue { get; init; }
}

/// <summary>Package-level descriptive metadata (<see cref="SipLayout.Submission"/>): who submits to whom, and the fonds and creating agencies concerned.</summary>
public sealed record SubmissionInfo
{
    /// <summary>Package identifier.</summary>
    public required string TransferId { get; init; }

    /// <summary>The submitting agency.</summary>
    public required TransferParty Submitting { get; init; }

    /// <summary>The Historical Archives.</summary>
    public required TransferParty Receiving { get; init; }

    /// <summary>The fonds the files belong to, as registered by the submitting side.</summary>
    public required IReadOnlyList<Records.Fonds> Fonds { get; init; }

    /// <summary>The creating agencies of those fonds.</summary>
    public required IReadOnlyList<Records.Agency> Agencies { get; init; }

    /// <summary>When the package was prepared.</summary>
    public required DateTimeOffset PreparedAt { get; init; }
}

/// <summary>
/// Writes the Office versions (XLSX deposit catalogue, DOCX transfer record) of a transfer's documents. Register an
/// implementation (the Archive.Documents package) in the container; <see cref="TransferService"/> then calls it
/// while it builds a package, and every file it writes into the documents folder is listed in METS with its checksum.
/// </summary>
public interface ITransferDocumentWriter
{
    /// <summary>Writes the documents into <paramref name="documentsFolder"/> (an existing folder) and returns the file names written.</summary>
    /// <param name="catalogue">The deposit catalogue (mục lục hồ sơ, tài liệu nộp lưu).</param>
    /// <param name="record">The transfer record data (biên bản thu nộp): draft when the package is built, completed at accession.</param>
    /// <param name="documentsFolder">Folder to write into.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    ValueTask<IReadOnlyList<string>> WriteAsync(DepositCatalogue catalogue, TransferRecordData record, string documentsFolder, CancellationToken cancellationToken);
}

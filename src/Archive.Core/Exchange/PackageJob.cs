using Archive.Handover;
using Archive.Transfer;

namespace Archive.Exchange;

/// <summary>Kinds of package work.</summary>
public enum PackageJobKind
{
    /// <summary>A handover package (bàn giao) built for a successor agency.</summary>
    HandoverExport = 0,

    /// <summary>A submission package (nộp lưu) built for the Historical Archives.</summary>
    TransferExport = 1,

    /// <summary>A handover package received by the successor: verified, then accepted or declined.</summary>
    HandoverReceipt = 2,

    /// <summary>A submission package received by the Historical Archives: verified, then accessioned or declined.</summary>
    Accession = 3,
}

/// <summary>Where a job stands.</summary>
public enum PackageJobState
{
    /// <summary>Waiting for the package's bytes (receipts and accessions).</summary>
    Uploading = 0,

    /// <summary>Waiting for the worker.</summary>
    Queued = 1,

    /// <summary>Being built (exports).</summary>
    Running = 2,

    /// <summary>Built: the package and its documents can be downloaded (exports).</summary>
    Completed = 3,

    /// <summary>Being verified.</summary>
    Verifying = 4,

    /// <summary>Verified without a problem: may be accepted or declined.</summary>
    Verified = 5,

    /// <summary>Verification found problems (listed by file); nothing changed. A new receipt may be opened with a sound copy.</summary>
    Rejected = 6,

    /// <summary>Being accepted (custody recorded, or records accessioned).</summary>
    Accepting = 7,

    /// <summary>Accepted.</summary>
    Accepted = 8,

    /// <summary>Declined by the receiving side; nothing changed.</summary>
    Declined = 9,

    /// <summary>Stopped by an error (see <see cref="PackageJob.Error"/>); nothing was committed.</summary>
    Failed = 10,

    /// <summary>Cancelled; its files were removed.</summary>
    Cancelled = 11,
}

/// <summary>
/// One piece of package work and its whole state, persisted in the archive's object store (so any host sharing it sees
/// the job, and a restarted server or another host resumes it):
/// an export (handover or transfer) or a package received (handover receipt or accession).
/// </summary>
public sealed record PackageJob
{
    /// <summary>Identifier.</summary>
    public required string Id { get; init; }

    /// <summary>Kind.</summary>
    public required PackageJobKind Kind { get; init; }

    /// <summary>State.</summary>
    public required PackageJobState State { get; init; }

    /// <summary>When created.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When last changed.</summary>
    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>Who created it (the user name recorded in the audit trail and in package versions).</summary>
    public required string CreatedBy { get; init; }

    /// <summary>The handing or submitting agency (for a receipt: as the verified package says).</summary>
    public string? FromAgencyId { get; init; }

    /// <summary>The receiving agency or Historical Archives.</summary>
    public required string ToAgencyId { get; init; }

    /// <summary>The fonds handed over (transfers: when one).</summary>
    public string? FondsCode { get; init; }

    /// <summary>The reorganisation event the handover belongs to.</summary>
    public string? EventId { get; init; }

    /// <summary>The record files in the package (exports: planned; accessions: accessioned).</summary>
    public IReadOnlyList<string> FileCodes { get; init; } = [];

    /// <summary>Whether the request selected the files explicitly (else: the whole fonds, or the due list).</summary>
    public bool ExplicitSelection { get; init; }

    /// <summary>The most restricted access level in the package: downloading it whole needs clearance for it.</summary>
    public AccessLevel HighestAccessLevel { get; init; }

    /// <summary>Transfers: date of the due list.</summary>
    public DateOnly? AsOf { get; init; }

    /// <summary>Transfers: package identifier (METS OBJID).</summary>
    public string? TransferId { get; init; }

    /// <summary>Transfers: legal basis written into the transfer record.</summary>
    public string? LegalBasis { get; init; }

    /// <summary>Transfers: the Historical Archives' name for the documents.</summary>
    public string? ArchivesName { get; init; }

    /// <summary>Handover: what the printed documents say beyond the archive's data.</summary>
    public HandoverDocumentDetails? DocumentDetails { get; init; }

    /// <summary>Files done.</summary>
    public int FilesDone { get; init; }

    /// <summary>Files in all (exports: payload files).</summary>
    public int FilesTotal { get; init; }

    /// <summary>Bytes done (exports: written; receipts: received, then verified).</summary>
    public long BytesDone { get; init; }

    /// <summary>Bytes in all.</summary>
    public long BytesTotal { get; init; }

    /// <summary>Why the job failed.</summary>
    public string? Error { get; init; }

    /// <summary>Verification report: every problem, by file (empty when sound).</summary>
    public IReadOnlyList<BagProblem> Problems { get; init; } = [];

    /// <summary>File name of the package (a tar).</summary>
    public string? PackageName { get; init; }

    /// <summary>Its length in bytes.</summary>
    public long? PackageLength { get; init; }

    /// <summary>Its SHA-256 (hex), the ETag of its download.</summary>
    public string? PackageSha256 { get; init; }

    /// <summary>Whether the package is sealed (exports: by this archive; receipts: carries a seal that verified).</summary>
    public bool Sealed { get; init; }

    /// <summary>What the seal is: who sealed it, or why it is not sealed or not trusted.</summary>
    public string? SealNote { get; init; }

    /// <summary>Subject of the certificate that sealed the package.</summary>
    public string? Signer { get; init; }

    /// <summary>Documents that can be downloaded on their own (catalogues, lists, records).</summary>
    public IReadOnlyList<string> Documents { get; init; } = [];

    /// <summary>Receipts: the length the uploader announced.</summary>
    public long? ExpectedLength { get; init; }

    /// <summary>Receipts: the SHA-256 the uploader announced (checked when the upload completes).</summary>
    public string? ExpectedSha256 { get; init; }

    /// <summary>Receipts: a package read from a server folder (a storage device) instead of an upload.</summary>
    public string? SourcePath { get; init; }

    /// <summary>
    /// Receipts from a server folder: the host that accepted the job (<c>Archive:Hosts:Name</c>), the only one that can
    /// read <see cref="SourcePath"/>; with several hosts only it runs the job.
    /// </summary>
    public string? Host { get; init; }

    /// <summary>Accessions: files accessioned by an earlier run of the same package.</summary>
    public IReadOnlyList<string> AlreadyAccessioned { get; init; } = [];

    /// <summary>Accessions (and confirmed transfers): the completed transfer record (biên bản giao nhận tài liệu nộp lưu).</summary>
    public TransferRecordData? TransferRecord { get; init; }

    /// <summary>Accessions: the transfer record's number requested at acceptance.</summary>
    public string? Reference { get; init; }

    /// <summary>Accessions: who receives for the Historical Archives.</summary>
    public string? Representative { get; init; }

    /// <summary>Declined: why.</summary>
    public string? DeclineReason { get; init; }

    /// <summary>Transfers: record files marked transferred when the completed record was recorded back.</summary>
    public IReadOnlyList<string> Confirmed { get; init; } = [];

    /// <summary>Whether the job has reached a state it does not leave by itself.</summary>
    public bool IsSettled => State is PackageJobState.Completed or PackageJobState.Verified or PackageJobState.Rejected or PackageJobState.Accepted
        or PackageJobState.Declined or PackageJobState.Failed or PackageJobState.Cancelled or PackageJobState.Uploading;
}

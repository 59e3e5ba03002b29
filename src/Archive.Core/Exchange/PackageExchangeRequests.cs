using Archive.Handover;

namespace Archive.Exchange;

/// <summary>A handover package to build (bàn giao hồ sơ, tài liệu).</summary>
public sealed record HandoverJobRequest
{
    /// <summary>The fonds handed over.</summary>
    public string? FondsCode { get; init; }

    /// <summary>The receiving agency; when null, the successor the reorganisation event names for the fonds.</summary>
    public string? ReceivingAgencyId { get; init; }

    /// <summary>The reorganisation event the handover belongs to.</summary>
    public string? EventId { get; init; }

    /// <summary>A selection of the fonds' record files; the whole fonds (weeded files left out) when null.</summary>
    public IReadOnlyList<string>? FileCodes { get; init; }

    /// <summary>What the printed documents say beyond the archive's data.</summary>
    public HandoverDocumentDetails? Documents { get; init; }
}

/// <summary>A submission package to build for the Historical Archives (nộp lưu).</summary>
public sealed record TransferJobRequest
{
    /// <summary>The submitting agency (the custodian of the files).</summary>
    public string? SubmittingAgencyId { get; init; }

    /// <summary>The Historical Archives, identified like an agency.</summary>
    public string? ArchivesAgencyId { get; init; }

    /// <summary>Its name for the documents (the registered name when null).</summary>
    public string? ArchivesName { get; init; }

    /// <summary>Explicit selection of permanent files; the due list when null.</summary>
    public IReadOnlyList<string>? FileCodes { get; init; }

    /// <summary>Only this fonds (due list).</summary>
    public string? FondsCode { get; init; }

    /// <summary>Date of the due list (today when null).</summary>
    public DateOnly? AsOf { get; init; }

    /// <summary>Legal basis written into the transfer record.</summary>
    public string? LegalBasis { get; init; }
}

/// <summary>A package to receive: uploaded (announce its length) or read from a server folder (a storage device).</summary>
public sealed record ReceiptRequest
{
    /// <summary>The receiving agency (handover) or the Historical Archives (accession): the caller's agency.</summary>
    public string? AgencyId { get; init; }

    /// <summary>Length of the package to upload, in bytes.</summary>
    public long? Length { get; init; }

    /// <summary>SHA-256 (hex) of the package to upload; checked when the upload completes.</summary>
    public string? Sha256 { get; init; }

    /// <summary>A package (tar or folder) under one of <see cref="ExchangeOptions.ImportRoots"/>, instead of an upload.</summary>
    public string? SourcePath { get; init; }
}

/// <summary>Acceptance of a verified package.</summary>
public sealed record AcceptRequest
{
    /// <summary>Accessions: number of the transfer record (BBTN-&lt;transfer id&gt; when null).</summary>
    public string? Reference { get; init; }

    /// <summary>Accessions: who receives for the Historical Archives (the user when null).</summary>
    public string? Representative { get; init; }
}

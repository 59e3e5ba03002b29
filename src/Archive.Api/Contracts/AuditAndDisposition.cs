using System.Text.Json.Serialization;
using Archive.Audit;
using Archive.Disposition;

namespace Archive.Api.Contracts;

/// <summary>One audit record (PREMIS-style event: who, what, when, outcome) with its place in the hash chain.</summary>
public sealed record AuditRecordDto
{
    /// <summary>Position in the trail, from 1, without gaps.</summary>
    public long Sequence { get; init; }

    /// <summary>When the trail accepted the event (UTC).</summary>
    public DateTimeOffset Timestamp { get; init; }

    /// <summary>What was done, e.g. <c>change</c>, <c>content.read</c>, <c>disposition.destroy</c>.</summary>
    public required string Action { get; init; }

    /// <summary>Who did it, as a person reads it (a user or API key name; not unique).</summary>
    public required string Actor { get; init; }

    /// <summary>Who did it, unambiguously: <c>apikey:&lt;id&gt;</c>, <c>jwt:&lt;issuer&gt;|&lt;sub&gt;</c>, <c>user:…</c> or <c>mailto:…</c> (a host's own identity) or <c>anonymous</c> (null in events recorded before it existed).</summary>
    public string? ActorId { get; init; }

    /// <summary>The actor's roles at the time, when known.</summary>
    public IReadOnlyList<string>? ActorRoles { get; init; }

    /// <summary>The actor's agency, when known.</summary>
    public string? ActorAgencyId { get; init; }

    /// <summary>Kind of object acted upon.</summary>
    public string? ObjectType { get; init; }

    /// <summary>Identifier of the object acted upon.</summary>
    public string? ObjectId { get; init; }

    /// <summary>Success, Failure or Denied.</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<AuditOutcome>))]
    public AuditOutcome Outcome { get; init; }

    /// <summary>Detail.</summary>
    public string? Detail { get; init; }

    /// <summary>Network address of the caller.</summary>
    public string? ClientAddress { get; init; }

    /// <summary>Hex SHA-256 of the previous record.</summary>
    public required string PreviousHash { get; init; }

    /// <summary>Hex SHA-256 of this record.</summary>
    public required string Hash { get; init; }

    /// <summary>
    /// True when objectId and detail were left out because the record concerns Secret material and the reader has no
    /// clearance (the hash is that of the stored, complete record; the trail's verification checks it).
    /// </summary>
    public bool Redacted { get; init; }

    /// <summary>The access level of what the event reveals when set by the engine (shown to cleared readers only), e.g. <c>Secret</c>.</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<AccessLevel>))]
    public AccessLevel? Classification { get; init; }

    internal static AuditRecordDto From(AuditRecord r) => new()
    {
        Sequence = r.Sequence,
        Timestamp = r.Timestamp,
        Action = r.Event.Action,
        Actor = r.Event.Actor,
        ActorId = r.Event.ActorId,
        ActorRoles = r.Event.ActorRoles?.Split(',', StringSplitOptions.RemoveEmptyEntries),
        ActorAgencyId = r.Event.ActorAgencyId,
        ObjectType = r.Event.ObjectType,
        ObjectId = r.Event.ObjectId,
        Outcome = r.Event.Outcome,
        Detail = r.Event.Detail,
        ClientAddress = r.Event.ClientAddress,
        PreviousHash = r.PreviousHash,
        Hash = r.Hash,
        Redacted = r.Redacted,
        Classification = r.Event.Classification,
    };
}

/// <summary>A page of audit records.</summary>
public sealed record AuditPageDto
{
    /// <summary>The records, in the requested order.</summary>
    public required List<AuditRecordDto> Items { get; init; }

    /// <summary>Pass as <c>cursor</c> for the next page; null when nothing more can match.</summary>
    public long? NextCursor { get; init; }

    /// <summary>Stored records read to build the page.</summary>
    public long Scanned { get; init; }
}

/// <summary>One problem found by verification.</summary>
public sealed record AuditProblemDto
{
    /// <summary>The sequence concerned.</summary>
    public long Sequence { get; init; }

    /// <summary>Edited, Removed, Reordered, Truncated, BadSignature, Unsigned or Unreadable.</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<AuditProblemKind>))]
    public AuditProblemKind Kind { get; init; }

    /// <summary>Detail.</summary>
    public required string Detail { get; init; }

    /// <summary>True for a warning (e.g. unsigned checkpoints when no key is configured).</summary>
    public bool IsWarning { get; init; }
}

/// <summary>The result of verifying the whole audit chain.</summary>
public sealed record AuditVerificationDto
{
    /// <summary>Whether the trail is intact (warnings aside).</summary>
    public bool IsValid { get; init; }

    /// <summary>When the check ran.</summary>
    public DateTimeOffset CheckedAt { get; init; }

    /// <summary>Records re-hashed.</summary>
    public long RecordsChecked { get; init; }

    /// <summary>Checkpoints checked.</summary>
    public long CheckpointsChecked { get; init; }

    /// <summary>Highest sequence found.</summary>
    public long LastSequence { get; init; }

    /// <summary>Hash of the last record.</summary>
    public required string LastHash { get; init; }

    /// <summary>Problems and warnings, by sequence.</summary>
    public required List<AuditProblemDto> Problems { get; init; }

    /// <summary>True when more problems were found than reported.</summary>
    public bool ProblemsTruncated { get; init; }

    internal static AuditVerificationDto From(AuditVerification v) => new()
    {
        IsValid = v.IsValid,
        CheckedAt = v.CheckedAt,
        RecordsChecked = v.RecordsChecked,
        CheckpointsChecked = v.CheckpointsChecked,
        LastSequence = v.LastSequence,
        LastHash = v.LastHash,
        Problems = v.Problems.Select(p => new AuditProblemDto { Sequence = p.Sequence, Kind = p.Kind, Detail = p.Detail, IsWarning = p.IsWarning }).ToList(),
        ProblemsTruncated = v.ProblemsTruncated,
    };
}

/// <summary>A checkpoint of the audit chain.</summary>
public sealed record AuditCheckpointDto
{
    /// <summary>The pinned sequence.</summary>
    public long Sequence { get; init; }

    /// <summary>The pinned hash.</summary>
    public required string Hash { get; init; }

    /// <summary>When it was written.</summary>
    public DateTimeOffset Timestamp { get; init; }

    /// <summary>Whether it carries a signature.</summary>
    public bool Signed { get; init; }

    /// <summary>Signing certificate subject.</summary>
    public string? Signer { get; init; }

    /// <summary>Signing certificate SHA-256 thumbprint.</summary>
    public string? SignerThumbprint { get; init; }

    internal static AuditCheckpointDto From(AuditCheckpoint c) => new()
    {
        Sequence = c.Sequence,
        Hash = c.Hash,
        Timestamp = c.Timestamp,
        Signed = c.Signature is not null,
        Signer = c.Signer,
        SignerThumbprint = c.SignerThumbprint,
    };
}

/// <summary>Proposes a destruction decision (Circular 06/2025): the list, explanatory note, council minutes and decision.</summary>
public sealed record CreateDispositionRequest
{
    /// <summary>Identifier (letters, digits, '.', '-', '_').</summary>
    /// <example>QD-2026-015</example>
    [System.ComponentModel.DataAnnotations.Required]
    public string? Id { get; init; }

    /// <summary>Số quyết định hủy tài liệu.</summary>
    /// <example>15/QĐ-BNV</example>
    [System.ComponentModel.DataAnnotations.Required]
    public string? DecisionNumber { get; init; }

    /// <summary>Ngày quyết định.</summary>
    [System.ComponentModel.DataAnnotations.Required]
    public DateOnly? DecisionDate { get; init; }

    /// <summary>Căn cứ pháp lý.</summary>
    /// <example>Thông tư 06/2025/TT-BNV</example>
    [System.ComponentModel.DataAnnotations.Required]
    public string? LegalBasis { get; init; }

    /// <summary>Quyết định thành lập và biên bản họp Hội đồng xác định giá trị tài liệu.</summary>
    [System.ComponentModel.DataAnnotations.Required]
    public string? CouncilMinutesReference { get; init; }

    /// <summary>The agency whose records are destroyed.</summary>
    [System.ComponentModel.DataAnnotations.Required]
    public string? AgencyId { get; init; }

    /// <summary>Bản thuyết minh tài liệu hết giá trị.</summary>
    public string? ExplanatoryNote { get; init; }

    /// <summary>Danh mục hồ sơ hết giá trị: the file codes.</summary>
    [System.ComponentModel.DataAnnotations.Required]
    public List<string>? FileCodes { get; init; }

    internal DispositionDecisionInput ToInput() => new()
    {
        Id = Id,
        DecisionNumber = DecisionNumber,
        DecisionDate = DecisionDate,
        LegalBasis = LegalBasis,
        CouncilMinutesReference = CouncilMinutesReference,
        AgencyId = AgencyId,
        ExplanatoryNote = ExplanatoryNote,
        FileCodes = FileCodes,
    };
}

/// <summary>What became of one listed file.</summary>
public sealed record DispositionFileResultDto
{
    /// <summary>The file code.</summary>
    public required string FileCode { get; init; }

    /// <summary>Pending, Destroyed, Refused or Failed.</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<DispositionFileOutcome>))]
    public DispositionFileOutcome Outcome { get; init; }

    /// <summary>The rule that refused it (e.g. <c>record-file.legal-hold</c>, <c>retention.not-expired</c>).</summary>
    public string? Rule { get; init; }

    /// <summary>Explanation.</summary>
    public string? Detail { get; init; }
}

/// <summary>A destruction decision and its execution results.</summary>
public sealed record DispositionDto
{
    /// <summary>Identifier.</summary>
    public required string Id { get; init; }

    /// <summary>Version (also the ETag).</summary>
    public int Version { get; init; }

    /// <summary>Decision number.</summary>
    public required string DecisionNumber { get; init; }

    /// <summary>Decision date.</summary>
    public DateOnly DecisionDate { get; init; }

    /// <summary>Legal basis.</summary>
    public required string LegalBasis { get; init; }

    /// <summary>Council minutes reference.</summary>
    public required string CouncilMinutesReference { get; init; }

    /// <summary>Agency.</summary>
    public required string AgencyId { get; init; }

    /// <summary>Explanatory note.</summary>
    public string? ExplanatoryNote { get; init; }

    /// <summary>Listed files.</summary>
    public required List<string> FileCodes { get; init; }

    /// <summary>Proposed by.</summary>
    public required string ProposedBy { get; init; }

    /// <summary>Proposed at.</summary>
    public DateTimeOffset ProposedAt { get; init; }

    /// <summary>Approved by.</summary>
    public string? ApprovedBy { get; init; }

    /// <summary>Approved at.</summary>
    public DateTimeOffset? ApprovedAt { get; init; }

    /// <summary>Proposed, Approved, Executing or Executed.</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<DispositionStatus>))]
    public DispositionStatus Status { get; init; }

    /// <summary>Executed by.</summary>
    public string? ExecutedBy { get; init; }

    /// <summary>Executed at.</summary>
    public DateTimeOffset? ExecutedAt { get; init; }

    /// <summary>Per-file results.</summary>
    public required List<DispositionFileResultDto> Results { get; init; }

    internal static DispositionDto From(Records.Versioned<DispositionDecision> v)
    {
        var d = v.Value;
        return new DispositionDto
        {
            Id = d.Id,
            Version = v.Version,
            DecisionNumber = d.DecisionNumber,
            DecisionDate = d.DecisionDate,
            LegalBasis = d.LegalBasis,
            CouncilMinutesReference = d.CouncilMinutesReference,
            AgencyId = d.AgencyId,
            ExplanatoryNote = d.ExplanatoryNote,
            FileCodes = d.FileCodes.ToList(),
            ProposedBy = d.ProposedBy,
            ProposedAt = d.ProposedAt,
            ApprovedBy = d.ApprovedBy,
            ApprovedAt = d.ApprovedAt,
            Status = d.Status,
            ExecutedBy = d.ExecutedBy,
            ExecutedAt = d.ExecutedAt,
            Results = d.Results.Select(r => new DispositionFileResultDto { FileCode = r.FileCode, Outcome = r.Outcome, Rule = r.Rule, Detail = r.Detail }).ToList(),
        };
    }
}

/// <summary>A tombstone: what remains of a destroyed record file.</summary>
public sealed record DestructionTombstoneDto
{
    /// <summary>File code.</summary>
    public required string FileCode { get; init; }

    /// <summary>Fonds code.</summary>
    public required string FondsCode { get; init; }

    /// <summary>Title.</summary>
    public required string Title { get; init; }

    /// <summary>Retention period as text (e.g. <c>10 năm</c>).</summary>
    public required string Maintenance { get; init; }

    /// <summary>Closing year.</summary>
    public int ClosingYear { get; init; }

    /// <summary>Who destroyed it.</summary>
    public required string DestroyedBy { get; init; }

    /// <summary>When.</summary>
    public DateTimeOffset DestroyedAt { get; init; }

    /// <summary>SHA-256 of the destroyed package's inventory.</summary>
    public required string InventoryDigest { get; init; }

    /// <summary>Content files destroyed.</summary>
    public int ContentFiles { get; init; }

    /// <summary>Bytes destroyed.</summary>
    public long ContentBytes { get; init; }
}

/// <summary>Destruction record data (biên bản hủy tài liệu).</summary>
public sealed record DestructionRecordDto
{
    /// <summary>The decision.</summary>
    public required DispositionDto Decision { get; init; }

    /// <summary>Tombstones.</summary>
    public required List<DestructionTombstoneDto> Tombstones { get; init; }

    /// <summary>What the storage could not guarantee (e.g. versions kept by S3 Object Lock).</summary>
    public string? StorageNote { get; init; }

    internal static DestructionRecordDto From(Records.Versioned<DispositionDecision> decision, DestructionRecord r) => new()
    {
        Decision = DispositionDto.From(decision),
        StorageNote = r.StorageNote,
        Tombstones = r.Tombstones.Select(t => new DestructionTombstoneDto
        {
            FileCode = t.FileCode,
            FondsCode = t.FondsCode,
            Title = t.Title,
            Maintenance = t.Maintenance.ToString(),
            ClosingYear = t.ClosingYear,
            DestroyedBy = t.DestroyedBy,
            DestroyedAt = t.DestroyedAt,
            InventoryDigest = t.InventoryDigest,
            ContentFiles = t.ContentFiles,
            ContentBytes = t.ContentBytes,
        }).ToList(),
    };
}

using Archive.Retention;

namespace Archive.Disposition;

/// <summary>Where a disposition (destruction) decision stands.</summary>
public enum DispositionStatus
{
    /// <summary>Proposed (list, explanatory note, council minutes); not approved yet.</summary>
    Proposed = 0,

    /// <summary>Approved by someone other than the proposer; may be executed.</summary>
    Approved = 1,

    /// <summary>Execution started (eligible files have tombstones) but did not finish; executing again resumes.</summary>
    Executing = 2,

    /// <summary>Executed: every listed file was destroyed, refused or failed (see the results).</summary>
    Executed = 3,
}

/// <summary>What became of one listed file.</summary>
public enum DispositionFileOutcome
{
    /// <summary>Eligible, tombstone written, not destroyed yet (execution interrupted).</summary>
    Pending = 0,

    /// <summary>Destroyed: the package was purged and removed from the search index; a tombstone remains.</summary>
    Destroyed = 1,

    /// <summary>Refused by a rule (legal hold, retention not expired, accessioned...); nothing was changed.</summary>
    Refused = 2,

    /// <summary>The storage refused or failed (e.g. S3 Object Lock retention); see the detail.</summary>
    Failed = 3,
}

/// <summary>The rules a disposition checks (problem <c>rule</c> values).</summary>
public static class DispositionRules
{
    /// <summary>The decision is not approved.</summary>
    public const string NotApproved = "disposition.not-approved";

    /// <summary>The approver is the proposer.</summary>
    public const string SelfApproval = "disposition.self-approval";

    /// <summary>The decision is not in the state the operation needs.</summary>
    public const string InvalidState = "disposition.state";

    /// <summary>The file is under legal hold (frozen by a competent authority): never destroyed.</summary>
    public const string LegalHold = "record-file.legal-hold";

    /// <summary>The file's retention period has not run out.</summary>
    public const string RetentionNotExpired = "retention.not-expired";

    /// <summary>The file is kept permanently (or until superseded): its retention never runs out.</summary>
    public const string RetentionPermanent = "retention.permanent";

    /// <summary>The file was accessioned by the Historical Archives.</summary>
    public const string Accessioned = "record-file.accessioned";

    /// <summary>The file is not finished.</summary>
    public const string Unfinished = "record-file.unfinished";

    /// <summary>The file does not exist.</summary>
    public const string NotFound = "record-file.not-found";

    /// <summary>The file belongs to another agency than the decision.</summary>
    public const string OtherAgency = "disposition.other-agency";

    /// <summary>The file changed between the check and the destruction.</summary>
    public const string ChangedDuringDisposition = "record-file.changed";

    /// <summary>The storage system refused the delete (WORM retention or legal hold on the objects).</summary>
    public const string StorageLocked = "storage.locked";

    /// <summary>The destruction record (biên bản hủy) is asked for a decision not executed yet.</summary>
    public const string NotExecuted = "disposition.not-executed";

    /// <summary>The papers (or record data) of a decision that lists a record file the caller may not read — a Secret one without clearance — are refused.</summary>
    public const string Clearance = "clearance.disposition";
}

/// <summary>Input of a proposed decision.</summary>
public sealed record DispositionDecisionInput
{
    /// <summary>Identifier (letters, digits, '.', '-', '_'), e.g. <c>QD-2026-015</c>.</summary>
    public string? Id { get; init; }

    /// <summary>Number of the destruction decision (số quyết định), e.g. <c>15/QĐ-BNV</c>.</summary>
    public string? DecisionNumber { get; init; }

    /// <summary>Date of the decision.</summary>
    public DateOnly? DecisionDate { get; init; }

    /// <summary>Legal basis (e.g. Circular 06/2025/TT-BNV).</summary>
    public string? LegalBasis { get; init; }

    /// <summary>Reference of the review council's decision and minutes (biên bản họp Hội đồng xác định giá trị tài liệu).</summary>
    public string? CouncilMinutesReference { get; init; }

    /// <summary>The agency whose records are destroyed.</summary>
    public string? AgencyId { get; init; }

    /// <summary>Explanatory note (thuyết minh): counts reviewed / kept / to destroy, date range, groups.</summary>
    public string? ExplanatoryNote { get; init; }

    /// <summary>The list of record files to destroy (file codes).</summary>
    public IReadOnlyList<string>? FileCodes { get; init; }
}

/// <summary>A disposition (destruction) decision (Circular 06/2025), stored as a versioned package.</summary>
public sealed record DispositionDecision
{
    /// <summary>Identifier.</summary>
    public required string Id { get; init; }

    /// <summary>Decision number.</summary>
    public required string DecisionNumber { get; init; }

    /// <summary>Decision date.</summary>
    public required DateOnly DecisionDate { get; init; }

    /// <summary>Legal basis.</summary>
    public required string LegalBasis { get; init; }

    /// <summary>Council decision and minutes reference.</summary>
    public required string CouncilMinutesReference { get; init; }

    /// <summary>The agency whose records are destroyed.</summary>
    public required string AgencyId { get; init; }

    /// <summary>Explanatory note.</summary>
    public string? ExplanatoryNote { get; init; }

    /// <summary>The listed files.</summary>
    public required IReadOnlyList<string> FileCodes { get; init; }

    /// <summary>Who proposed it.</summary>
    public required string ProposedBy { get; init; }

    /// <summary>When it was proposed.</summary>
    public required DateTimeOffset ProposedAt { get; init; }

    /// <summary>Who approved it (differs from <see cref="ProposedBy"/>).</summary>
    public string? ApprovedBy { get; init; }

    /// <summary>When it was approved.</summary>
    public DateTimeOffset? ApprovedAt { get; init; }

    /// <summary>Status.</summary>
    public DispositionStatus Status { get; init; }

    /// <summary>Who executed it.</summary>
    public string? ExecutedBy { get; init; }

    /// <summary>When execution started.</summary>
    public DateTimeOffset? ExecutedAt { get; init; }

    /// <summary>Per-file results of the execution, in list order.</summary>
    public IReadOnlyList<DispositionFileResult> Results { get; init; } = [];
}

/// <summary>What became of one listed file.</summary>
/// <param name="FileCode">The file.</param>
/// <param name="Outcome">The outcome.</param>
/// <param name="Rule">The rule that refused it (see <see cref="DispositionRules"/>), when refused or failed.</param>
/// <param name="Detail">Explanation for a person.</param>
public sealed record DispositionFileResult(string FileCode, DispositionFileOutcome Outcome, string? Rule = null, string? Detail = null);

/// <summary>What remains of a destroyed record file: enough to prove what was destroyed, by whom and why.</summary>
public sealed record DestructionTombstone
{
    /// <summary>The file code.</summary>
    public required string FileCode { get; init; }

    /// <summary>Fonds code.</summary>
    public required string FondsCode { get; init; }

    /// <summary>Agency (organ) id.</summary>
    public required string OrganId { get; init; }

    /// <summary>Title of the file.</summary>
    public required string Title { get; init; }

    /// <summary>Số và ký hiệu hồ sơ (null in tombstones written before it was kept).</summary>
    public string? FileNotation { get; init; }

    /// <summary>Access level of the file when destroyed (null in tombstones written before it was kept: treated as Secret).</summary>
    public AccessLevel? Rights { get; init; }

    /// <summary>Number of sheets (số tờ), when recorded.</summary>
    public int? SheetNumber { get; init; }

    /// <summary>Whether the file was marked non-archival (duplicate, reference copy...) and why, when it was.</summary>
    public string? NonArchivalReason { get; init; }

    /// <summary>Its retention period.</summary>
    public required RetentionPeriod Maintenance { get; init; }

    /// <summary>Retention schedule item, if classified.</summary>
    public string? ScheduleItemCode { get; init; }

    /// <summary>Closing year (from which retention ran).</summary>
    public required int ClosingYear { get; init; }

    /// <summary>Start and end dates of the file.</summary>
    public DateOnly? StartDate { get; init; }

    /// <summary>End date of the file.</summary>
    public DateOnly? EndDate { get; init; }

    /// <summary>Number of archival documents.</summary>
    public int DocTotal { get; init; }

    /// <summary>Number of pages.</summary>
    public int PageTotal { get; init; }

    /// <summary>Decision id.</summary>
    public required string DecisionId { get; init; }

    /// <summary>Decision number.</summary>
    public required string DecisionNumber { get; init; }

    /// <summary>Who destroyed it.</summary>
    public required string DestroyedBy { get; init; }

    /// <summary>When it was destroyed (execution start).</summary>
    public required DateTimeOffset DestroyedAt { get; init; }

    /// <summary>Head version of the destroyed package.</summary>
    public required int HeadVersion { get; init; }

    /// <summary>
    /// SHA-256 of the destroyed package's inventory — which lists the SHA-256 of every content file of every
    /// version, so it pins exactly what was destroyed.
    /// </summary>
    public required string InventoryDigest { get; init; }

    /// <summary>Distinct content files across all versions.</summary>
    public int ContentFiles { get; init; }

    /// <summary>Bytes of those content files.</summary>
    public long ContentBytes { get; init; }
}

/// <summary>The destruction record data (biên bản hủy tài liệu): the decision, its results and the tombstones.</summary>
public sealed record DestructionRecord
{
    /// <summary>The decision, at its current version.</summary>
    public required DispositionDecision Decision { get; init; }

    /// <summary>Tombstones of the files destroyed (or pending).</summary>
    public required IReadOnlyList<DestructionTombstone> Tombstones { get; init; }

    /// <summary>What the storage could and could not guarantee (e.g. S3 versions kept by Object Lock).</summary>
    public string? StorageNote { get; init; }
}

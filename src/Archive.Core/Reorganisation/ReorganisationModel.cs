namespace Archive.Reorganisation;

/// <summary>Kinds of reorganisation (sắp xếp tổ chức bộ máy).</summary>
public enum ReorganisationKind
{
    /// <summary>Sáp nhập: the affected agencies are merged into an existing successor that continues.</summary>
    Merger = 0,

    /// <summary>Hợp nhất: the affected agencies are consolidated into a new agency.</summary>
    Consolidation = 1,

    /// <summary>Chia, tách: an agency is split; each fonds it holds goes to the successor named for it.</summary>
    Split = 2,

    /// <summary>Giải thể: the agency is dissolved; its records go to the body named by the decision.</summary>
    Dissolution = 3,
}

/// <summary>Where an event stands.</summary>
public enum ReorganisationEventStatus
{
    /// <summary>Recorded, not applied yet.</summary>
    Recorded = 0,

    /// <summary>Being applied (the transfers are fixed; applying again finishes the job).</summary>
    Applying = 1,

    /// <summary>Applied: agencies' status changed, fonds closed, custody transferred.</summary>
    Applied = 2,
}

/// <summary>A fonds whose custody goes to a successor other than the agency's default one (required for a split).</summary>
/// <param name="FondsCode">The fonds held by the affected agency (its own or received from an earlier event).</param>
/// <param name="SuccessorAgencyId">Who receives it.</param>
public sealed record FondsSuccession(string FondsCode, string SuccessorAgencyId);

/// <summary>An agency affected by an event and who succeeds it.</summary>
public sealed record AffectedAgency
{
    /// <summary>The affected agency (mã định danh).</summary>
    public required string AgencyId { get; init; }

    /// <summary>The successor receiving the agency's records (for a split: the default for fonds not listed in <see cref="Fonds"/>).</summary>
    public string? SuccessorAgencyId { get; init; }

    /// <summary>Per-fonds successors; a split must name one for every fonds the agency holds.</summary>
    public IReadOnlyList<FondsSuccession> Fonds { get; init; } = [];
}

/// <summary>One custody transfer made (or to be made) by applying an event.</summary>
/// <param name="FondsCode">The fonds.</param>
/// <param name="FromAgencyId">Custodian before.</param>
/// <param name="ToAgencyId">Custodian after.</param>
/// <param name="CloseFonds">Whether the fonds is closed by this event (its creating agency stops operating).</param>
public sealed record CustodyTransfer(string FondsCode, string FromAgencyId, string ToAgencyId, bool CloseFonds);

/// <summary>What a caller gives to record an event.</summary>
public sealed record ReorganisationEventInput
{
    /// <summary>Event identifier (letters, digits, '.', '-', '_'), e.g. <c>2025-QD-1234</c>.</summary>
    public required string Id { get; init; }

    /// <summary>Kind of reorganisation.</summary>
    public ReorganisationKind Kind { get; init; }

    /// <summary>Legal basis: number and symbol of the decision, e.g. <c>1234/QĐ-UBND</c>.</summary>
    public string? DecisionNumber { get; init; }

    /// <summary>Legal basis: date of the decision.</summary>
    public DateOnly? DecisionDate { get; init; }

    /// <summary>Issuing authority of the decision.</summary>
    public string? DecisionAuthority { get; init; }

    /// <summary>The day the reorganisation takes effect (the affected agencies stop operating).</summary>
    public DateOnly? EffectiveDate { get; init; }

    /// <summary>Free description.</summary>
    public string? Description { get; init; }

    /// <summary>The affected agencies and their successors.</summary>
    public IReadOnlyList<AffectedAgency> Affected { get; init; } = [];
}

/// <summary>A reorganisation event, stored as a versioned package in <c>ocfl/events</c>.</summary>
public sealed record ReorganisationEvent
{
    /// <summary>Identifier.</summary>
    public required string Id { get; init; }

    /// <summary>Kind.</summary>
    public required ReorganisationKind Kind { get; init; }

    /// <summary>Number and symbol of the decision.</summary>
    public required string DecisionNumber { get; init; }

    /// <summary>Date of the decision.</summary>
    public required DateOnly DecisionDate { get; init; }

    /// <summary>Issuing authority.</summary>
    public string? DecisionAuthority { get; init; }

    /// <summary>Effective date.</summary>
    public required DateOnly EffectiveDate { get; init; }

    /// <summary>Description.</summary>
    public string? Description { get; init; }

    /// <summary>Affected agencies.</summary>
    public required IReadOnlyList<AffectedAgency> Affected { get; init; }

    /// <summary>Status.</summary>
    public ReorganisationEventStatus Status { get; init; }

    /// <summary>The transfers fixed when applying started (empty until then).</summary>
    public IReadOnlyList<CustodyTransfer> Transfers { get; init; } = [];

    /// <summary>The <c>asOf</c> date the event was applied on.</summary>
    public DateOnly? AppliedOn { get; init; }

    /// <summary>A readable legal basis, e.g. <c>Quyết định 1234/QĐ-UBND ngày 20/06/2025</c>.</summary>
    public string LegalBasis => $"{DecisionNumber} ngày {DecisionDate.ToString("dd/MM/yyyy", System.Globalization.CultureInfo.InvariantCulture)}";
}

/// <summary>Outcome of <see cref="ReorganisationService.ApplyAsync"/>.</summary>
/// <param name="Event">The event after applying.</param>
/// <param name="AlreadyApplied">True when it had been applied before (nothing changed).</param>
public sealed record ApplyResult(ReorganisationEvent Event, bool AlreadyApplied);

/// <summary>One link of a chain of custody.</summary>
/// <param name="EventId">The event that moved custody.</param>
/// <param name="Kind">Its kind.</param>
/// <param name="LegalBasis">Its legal basis.</param>
/// <param name="EffectiveDate">When.</param>
/// <param name="FromAgencyId">Custodian before.</param>
/// <param name="ToAgencyId">Custodian after.</param>
public sealed record CustodyStep(string EventId, ReorganisationKind Kind, string LegalBasis, DateOnly EffectiveDate, string FromAgencyId, string ToAgencyId);

/// <summary>Who holds a fonds (or an agency's records) on a date, and how custody got there.</summary>
/// <param name="FondsCode">The fonds concerned (null when asked for an agency without a fonds).</param>
/// <param name="OriginalAgencyId">The creating agency (or the agency asked about).</param>
/// <param name="CustodianAgencyId">The custodian on the date.</param>
/// <param name="Chain">Event by event, oldest first.</param>
public sealed record CustodyAnswer(string? FondsCode, string OriginalAgencyId, string CustodianAgencyId, IReadOnlyList<CustodyStep> Chain);

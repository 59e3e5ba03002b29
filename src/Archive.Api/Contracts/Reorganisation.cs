using System.Text.Json.Serialization;
using Archive.Reorganisation;

namespace Archive.Api.Contracts;

/// <summary>Records a reorganisation event (sắp xếp tổ chức bộ máy): its legal basis, effective date and successors.</summary>
public sealed record RecordReorganisationRequest
{
    /// <summary>Event identifier (letters, digits, '.', '-', '_').</summary>
    /// <example>2025-QD-1234</example>
    public required string Id { get; init; }

    /// <summary>Merger (sáp nhập), Consolidation (hợp nhất), Split (chia, tách) or Dissolution (giải thể).</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<ReorganisationKind>))]
    public ReorganisationKind Kind { get; init; }

    /// <summary>Số, ký hiệu của quyết định (number and symbol of the decision).</summary>
    /// <example>1234/QĐ-UBND</example>
    [System.ComponentModel.DataAnnotations.Required]
    public string? DecisionNumber { get; init; }

    /// <summary>Ngày ban hành quyết định (date of the decision).</summary>
    [System.ComponentModel.DataAnnotations.Required]
    public DateOnly? DecisionDate { get; init; }

    /// <summary>Cơ quan ban hành (issuing authority).</summary>
    /// <example>Ủy ban nhân dân tỉnh Bắc Ninh</example>
    public string? DecisionAuthority { get; init; }

    /// <summary>Ngày có hiệu lực: from this day the affected agencies stop operating and their fonds are closed.</summary>
    [System.ComponentModel.DataAnnotations.Required]
    public DateOnly? EffectiveDate { get; init; }

    /// <summary>Free description.</summary>
    public string? Description { get; init; }

    /// <summary>The affected agencies and their successors.</summary>
    [System.ComponentModel.DataAnnotations.Required]
    public List<AffectedAgencyDto> Affected { get; init; } = [];
}

/// <summary>An agency affected by an event and who succeeds it.</summary>
public sealed record AffectedAgencyDto
{
    /// <summary>Mã định danh of the affected agency.</summary>
    public required string AgencyId { get; init; }

    /// <summary>The successor receiving the agency's records (for a split: the default for fonds not listed in <c>fonds</c>).</summary>
    public string? SuccessorAgencyId { get; init; }

    /// <summary>Per-fonds successors; a split names one for every fonds the agency holds.</summary>
    public List<FondsSuccessionDto> Fonds { get; init; } = [];
}

/// <summary>A fonds going to a successor other than the agency's default one.</summary>
public sealed record FondsSuccessionDto
{
    /// <summary>Mã phông.</summary>
    public required string FondsCode { get; init; }

    /// <summary>Who receives it.</summary>
    public required string SuccessorAgencyId { get; init; }
}

/// <summary>One custody transfer fixed when the event was applied.</summary>
public sealed record CustodyTransferDto
{
    /// <summary>Mã phông.</summary>
    public required string FondsCode { get; init; }

    /// <summary>Custodian before.</summary>
    public required string FromAgencyId { get; init; }

    /// <summary>Custodian after.</summary>
    public required string ToAgencyId { get; init; }

    /// <summary>Whether the fonds is closed by this event.</summary>
    public bool CloseFonds { get; init; }
}

/// <summary>A reorganisation event at one version.</summary>
public sealed record ReorganisationEventDto
{
    /// <summary>Identifier.</summary>
    public required string Id { get; init; }

    /// <summary>Kind.</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<ReorganisationKind>))]
    public ReorganisationKind Kind { get; init; }

    /// <summary>Number and symbol of the decision.</summary>
    public required string DecisionNumber { get; init; }

    /// <summary>Date of the decision.</summary>
    public DateOnly DecisionDate { get; init; }

    /// <summary>Issuing authority.</summary>
    public string? DecisionAuthority { get; init; }

    /// <summary>Readable legal basis, e.g. <c>1234/QĐ-UBND ngày 20/06/2025</c>.</summary>
    public string? LegalBasis { get; init; }

    /// <summary>Effective date.</summary>
    public DateOnly EffectiveDate { get; init; }

    /// <summary>Description.</summary>
    public string? Description { get; init; }

    /// <summary>Affected agencies and successors.</summary>
    public List<AffectedAgencyDto> Affected { get; init; } = [];

    /// <summary>Recorded, Applying or Applied.</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<ReorganisationEventStatus>))]
    public ReorganisationEventStatus Status { get; init; }

    /// <summary>Custody transfers fixed when applying started.</summary>
    public List<CustodyTransferDto> Transfers { get; init; } = [];

    /// <summary>The date the event was applied on.</summary>
    public DateOnly? AppliedOn { get; init; }

    /// <summary>Package version of this state (ETag <c>"v{version}"</c>).</summary>
    public int Version { get; init; }

    /// <summary>When this version was committed.</summary>
    public DateTimeOffset Modified { get; init; }

    /// <summary>Who committed it.</summary>
    public string? ModifiedBy { get; init; }
}

/// <summary>Applies an event: agencies' status changes, fonds are closed, custody passes to the successors.</summary>
public sealed record ApplyReorganisationRequest
{
    /// <summary>The day it is applied on (default: today); must not be before the effective date.</summary>
    public DateOnly? AsOf { get; init; }
}

/// <summary>Outcome of applying an event.</summary>
public sealed record ApplyReorganisationResponse
{
    /// <summary>The event after applying.</summary>
    public required ReorganisationEventDto Event { get; init; }

    /// <summary>True when it had been applied before (nothing changed).</summary>
    public bool AlreadyApplied { get; init; }
}

/// <summary>One link of a chain of custody.</summary>
public sealed record CustodyStepDto
{
    /// <summary>The event that moved custody.</summary>
    public required string EventId { get; init; }

    /// <summary>Its kind.</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<ReorganisationKind>))]
    public ReorganisationKind Kind { get; init; }

    /// <summary>Its legal basis.</summary>
    public required string LegalBasis { get; init; }

    /// <summary>When.</summary>
    public DateOnly EffectiveDate { get; init; }

    /// <summary>Custodian before.</summary>
    public required string FromAgencyId { get; init; }

    /// <summary>Custodian after.</summary>
    public required string ToAgencyId { get; init; }
}

/// <summary>Who holds a fonds (or an agency's records) on a date, and how custody got there.</summary>
public sealed record CustodyDto
{
    /// <summary>The fonds concerned (null for an agency without a fonds).</summary>
    public string? FondsCode { get; init; }

    /// <summary>The agency that created the records.</summary>
    public required string OriginalAgencyId { get; init; }

    /// <summary>The agency holding them on the date asked.</summary>
    public required string CustodianAgencyId { get; init; }

    /// <summary>The chain of custody, oldest first.</summary>
    public List<CustodyStepDto> Chain { get; init; } = [];
}

/// <summary>A task of a plan (kế hoạch).</summary>
public sealed record PlanTaskDto
{
    /// <summary>Task id within the plan (T001, ...).</summary>
    public required string Id { get; init; }

    /// <summary>Kind of task.</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<PlanTaskKind>))]
    public PlanTaskKind Kind { get; init; }

    /// <summary>Scope: the affected agency.</summary>
    public required string AgencyId { get; init; }

    /// <summary>Nội dung công việc.</summary>
    public required string Title { get; init; }

    /// <summary>Đơn vị chủ trì.</summary>
    public string? LeadUnit { get; init; }

    /// <summary>Đơn vị phối hợp.</summary>
    public List<string> CoordinatingUnits { get; init; } = [];

    /// <summary>Thời hạn.</summary>
    public DateOnly? Deadline { get; init; }

    /// <summary>NotStarted, InProgress or Done.</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<PlanTaskStatus>))]
    public PlanTaskStatus Status { get; init; }

    /// <summary>Notes.</summary>
    public string? Notes { get; init; }

    /// <summary>The backlog batch (khối tài liệu tồn đọng) the task works on, if any (must be registered: plan.backlog-batch-unknown).</summary>
    public string? BacklogBatchId { get; init; }
}

/// <summary>Adds a task to a plan or replaces one (send <c>If-Match</c> with the plan's ETag).</summary>
public sealed record PlanTaskRequest
{
    /// <summary>Kind of task.</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<PlanTaskKind>))]
    public PlanTaskKind Kind { get; init; }

    /// <summary>Scope: an agency affected by the event.</summary>
    public required string AgencyId { get; init; }

    /// <summary>Nội dung công việc.</summary>
    public required string Title { get; init; }

    /// <summary>Đơn vị chủ trì.</summary>
    public string? LeadUnit { get; init; }

    /// <summary>Đơn vị phối hợp.</summary>
    public List<string> CoordinatingUnits { get; init; } = [];

    /// <summary>Thời hạn.</summary>
    public DateOnly? Deadline { get; init; }

    /// <summary>Status.</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<PlanTaskStatus>))]
    public PlanTaskStatus Status { get; init; }

    /// <summary>Notes.</summary>
    public string? Notes { get; init; }

    /// <summary>The backlog batch (khối tài liệu tồn đọng) the task works on, if any (must be registered: plan.backlog-batch-unknown).</summary>
    public string? BacklogBatchId { get; init; }
}

/// <summary>The plan of one event at one version.</summary>
public sealed record PlanDto
{
    /// <summary>The event.</summary>
    public required string EventId { get; init; }

    /// <summary>Tasks in id order.</summary>
    public List<PlanTaskDto> Tasks { get; init; } = [];

    /// <summary>Package version (ETag <c>"v{version}"</c>).</summary>
    public int Version { get; init; }

    /// <summary>When this version was committed.</summary>
    public DateTimeOffset Modified { get; init; }

    /// <summary>Who committed it.</summary>
    public string? ModifiedBy { get; init; }
}

/// <summary>An overlap or omission found in a plan.</summary>
public sealed record PlanIssueDto
{
    /// <summary>Rule id, e.g. <c>plan.overlap</c>, <c>plan.missing-handover</c>.</summary>
    public required string Rule { get; init; }

    /// <summary>The agency concerned.</summary>
    public required string AgencyId { get; init; }

    /// <summary>Tasks concerned.</summary>
    public List<string> TaskIds { get; init; } = [];

    /// <summary>For a person.</summary>
    public required string Message { get; init; }
}

/// <summary>Done out of total.</summary>
public sealed record PlanProgressDto
{
    /// <summary>Agency id, or the event id for the whole plan.</summary>
    public required string Scope { get; init; }

    /// <summary>Tasks done.</summary>
    public int Done { get; init; }

    /// <summary>Tasks.</summary>
    public int Total { get; init; }

    /// <summary>Percentage done.</summary>
    public double Percent { get; init; }
}

/// <summary>A plan's report as of a date: overlaps, omissions, overdue tasks, progress.</summary>
public sealed record PlanReportDto
{
    /// <summary>The event.</summary>
    public required string EventId { get; init; }

    /// <summary>The plan version reported on.</summary>
    public int PlanVersion { get; init; }

    /// <summary>The date overdue tasks are counted on.</summary>
    public DateOnly AsOf { get; init; }

    /// <summary>Two leads for the same task and scope.</summary>
    public List<PlanIssueDto> Overlaps { get; init; } = [];

    /// <summary>Agencies without a handover or backup task; tasks without lead or deadline.</summary>
    public List<PlanIssueDto> Omissions { get; init; } = [];

    /// <summary>Tasks not done whose deadline has passed.</summary>
    public List<PlanTaskDto> Overdue { get; init; } = [];

    /// <summary>Progress per affected agency.</summary>
    public List<PlanProgressDto> ByAgency { get; init; } = [];

    /// <summary>Progress of the whole plan.</summary>
    public required PlanProgressDto Overall { get; init; }
}

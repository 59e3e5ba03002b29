using Archive.Hosting;
using Archive.Records;
using Archive.Storage;

namespace Archive.Reorganisation;

/// <summary>The kinds of task the guidance (Official letter 414/BNV-VTLTNN) requires of every affected agency.</summary>
public enum PlanTaskKind
{
    /// <summary>Review the un-arranged backlog and weed out non-archival material.</summary>
    ReviewAndWeed = 0,

    /// <summary>Inventory finished files.</summary>
    InventoryFinished = 1,

    /// <summary>Inventory unfinished files (apart), per unit then per agency.</summary>
    InventoryUnfinished = 2,

    /// <summary>Package unfinished files apart and mark them.</summary>
    PackageUnfinished = 3,

    /// <summary>Back up digitised records to storage media and seal them.</summary>
    BackupAndSeal = 4,

    /// <summary>Hand records and the electronic database over to the successor.</summary>
    Handover = 5,

    /// <summary>Submit permanent records to the Historical Archives.</summary>
    TransferToHistoricalArchives = 6,

    /// <summary>Anything else.</summary>
    Other = 7,
}

/// <summary>Progress of a task.</summary>
public enum PlanTaskStatus
{
    /// <summary>Chưa thực hiện.</summary>
    NotStarted = 0,

    /// <summary>Đang thực hiện.</summary>
    InProgress = 1,

    /// <summary>Hoàn thành.</summary>
    Done = 2,
}

/// <summary>A task of a plan.</summary>
public sealed record PlanTask
{
    /// <summary>Task id within the plan (T001, T002, ...).</summary>
    public required string Id { get; init; }

    /// <summary>Kind.</summary>
    public required PlanTaskKind Kind { get; init; }

    /// <summary>Scope: the affected agency.</summary>
    public required string AgencyId { get; init; }

    /// <summary>Content of the task.</summary>
    public required string Title { get; init; }

    /// <summary>Lead unit (đơn vị chủ trì).</summary>
    public string? LeadUnit { get; init; }

    /// <summary>Coordinating units (đơn vị phối hợp).</summary>
    public IReadOnlyList<string> CoordinatingUnits { get; init; } = [];

    /// <summary>Deadline (thời hạn).</summary>
    public DateOnly? Deadline { get; init; }

    /// <summary>Status.</summary>
    public PlanTaskStatus Status { get; init; }

    /// <summary>Notes.</summary>
    public string? Notes { get; init; }

    /// <summary>The backlog batch (khối tài liệu tồn đọng) the task works on, when it works on one (must exist).</summary>
    public string? BacklogBatchId { get; init; }
}

/// <summary>What a caller sets on a task.</summary>
public sealed record PlanTaskInput
{
    /// <summary>Kind.</summary>
    public PlanTaskKind Kind { get; init; }

    /// <summary>Scope: an agency affected by the event.</summary>
    public required string AgencyId { get; init; }

    /// <summary>Content.</summary>
    public required string Title { get; init; }

    /// <summary>Lead unit.</summary>
    public string? LeadUnit { get; init; }

    /// <summary>Coordinating units.</summary>
    public IReadOnlyList<string> CoordinatingUnits { get; init; } = [];

    /// <summary>Deadline.</summary>
    public DateOnly? Deadline { get; init; }

    /// <summary>Status.</summary>
    public PlanTaskStatus Status { get; init; }

    /// <summary>Notes.</summary>
    public string? Notes { get; init; }

    /// <summary>The backlog batch (khối tài liệu tồn đọng) the task works on, when it works on one (must exist).</summary>
    public string? BacklogBatchId { get; init; }
}

/// <summary>The plan (kế hoạch) of one reorganisation event, stored as a versioned package in <c>ocfl/plans</c>.</summary>
public sealed record ReorganisationPlan
{
    /// <summary>The event.</summary>
    public required string EventId { get; init; }

    /// <summary>Tasks, in id order.</summary>
    public required IReadOnlyList<PlanTask> Tasks { get; init; }
}

/// <summary>Settings of generated plans. The guidance sets no fixed deadlines: these are defaults, to be set by each plan's authority.</summary>
public sealed class PlanOptions
{
    /// <summary>Deadline of each kind of task, in days from the event's effective date (negative = before it).</summary>
    public Dictionary<PlanTaskKind, int> DeadlineOffsetDays { get; } = new()
    {
        [PlanTaskKind.ReviewAndWeed] = 15,
        [PlanTaskKind.InventoryFinished] = 20,
        [PlanTaskKind.InventoryUnfinished] = 20,
        [PlanTaskKind.PackageUnfinished] = 25,
        [PlanTaskKind.BackupAndSeal] = 30,
        [PlanTaskKind.Handover] = 45,
        [PlanTaskKind.TransferToHistoricalArchives] = 90,
    };

    /// <summary>Name of the Historical Archives that receives permanent records (coordinating unit of the transfer task).</summary>
    public string HistoricalArchivesName { get; set; } = "Lưu trữ lịch sử tỉnh";
}

/// <summary>A problem found in a plan.</summary>
/// <param name="Rule">Stable identifier: <c>plan.overlap</c>, <c>plan.missing-handover</c>, <c>plan.missing-backup</c>, <c>plan.task-without-lead</c>, <c>plan.task-without-deadline</c>.</param>
/// <param name="AgencyId">The agency concerned.</param>
/// <param name="TaskIds">The tasks concerned.</param>
/// <param name="Message">For a person.</param>
public sealed record PlanIssue(string Rule, string AgencyId, IReadOnlyList<string> TaskIds, string Message);

/// <summary>Done out of total.</summary>
/// <param name="Scope">Agency id, or the event id for the whole plan.</param>
/// <param name="Done">Tasks done.</param>
/// <param name="Total">Tasks.</param>
public sealed record PlanProgress(string Scope, int Done, int Total)
{
    /// <summary>Percentage done (0 when there is no task), rounded to one decimal.</summary>
    public double Percent => Total == 0 ? 0 : Math.Round(100.0 * Done / Total, 1);
}

/// <summary>The plan's report as of a date.</summary>
public sealed record PlanReport
{
    /// <summary>The event.</summary>
    public required string EventId { get; init; }

    /// <summary>The plan version reported on.</summary>
    public required int PlanVersion { get; init; }

    /// <summary>The date overdue tasks are counted on.</summary>
    public required DateOnly AsOf { get; init; }

    /// <summary>Two tasks of the same kind and scope with different leads.</summary>
    public required IReadOnlyList<PlanIssue> Overlaps { get; init; }

    /// <summary>Agencies without a handover or backup task; tasks without lead or deadline.</summary>
    public required IReadOnlyList<PlanIssue> Omissions { get; init; }

    /// <summary>Tasks not done whose deadline has passed.</summary>
    public required IReadOnlyList<PlanTask> Overdue { get; init; }

    /// <summary>Progress per affected agency.</summary>
    public required IReadOnlyList<PlanProgress> ByAgency { get; init; }

    /// <summary>Progress of the whole plan.</summary>
    public required PlanProgress Overall { get; init; }
}

/// <summary>Plans of reorganisation events: generated from the guidance, edited as new versions, reported on.</summary>
public sealed class ReorganisationPlanService
{
    /// <summary>Storage root of plan packages (id = event id).</summary>
    public const string PlansRoot = "ocfl/plans";

    private static readonly PlanTaskKind[] Required =
    [
        PlanTaskKind.ReviewAndWeed, PlanTaskKind.InventoryFinished, PlanTaskKind.InventoryUnfinished, PlanTaskKind.PackageUnfinished,
        PlanTaskKind.BackupAndSeal, PlanTaskKind.Handover, PlanTaskKind.TransferToHistoricalArchives,
    ];

    private readonly PackageEntityStore<ReorganisationPlan> _store;
    private readonly ReorganisationService _events;
    private readonly AgencyRegistry _agencies;
    private readonly PlanOptions _options;
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>The backlog register a task's <see cref="PlanTaskInput.BacklogBatchId"/> is checked against (null: a task naming a batch is refused).</summary>
    public Archive.Registers.BacklogService? Backlog { get; init; }

    /// <summary>Creates the service.</summary>
    public ReorganisationPlanService(IObjectStore objects, PackageStoreFactory packageStores, ReorganisationService events, AgencyRegistry agencies, PlanOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(objects);
        ArgumentNullException.ThrowIfNull(packageStores);
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(agencies);
        _store = new PackageEntityStore<ReorganisationPlan>(packageStores(objects, PlansRoot), "reorganisation-plan", "metadata/plan.json");
        _events = events;
        _agencies = agencies;
        _options = options ?? new PlanOptions();
    }

    /// <summary>
    /// Generates the plan of an event: for every affected agency, one task of each required kind, led by the agency,
    /// coordinated with its successor (and the Historical Archives for the transfer), due at the configured offset.
    /// </summary>
    /// <exception cref="ArchiveNotFoundException">No such event.</exception>
    /// <exception cref="ArchiveConflictException">The event already has a plan.</exception>
    public async ValueTask<Versioned<ReorganisationPlan>> GenerateAsync(string eventId, ArchiveUser user, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(user);
        user.Validate();
        var ev = await EventAsync(eventId, cancellationToken).ConfigureAwait(false);
        var tasks = new List<PlanTask>();
        foreach (var a in ev.Affected)
        {
            var name = (await _agencies.GetAsync(a.AgencyId, cancellationToken).ConfigureAwait(false))?.Value.Name ?? a.AgencyId;
            var successors = new List<string>();
            foreach (var s in a.Fonds.Select(f => f.SuccessorAgencyId).Prepend(a.SuccessorAgencyId).OfType<string>().Distinct(StringComparer.Ordinal))
            {
                successors.Add((await _agencies.GetAsync(s, cancellationToken).ConfigureAwait(false))?.Value.Name ?? s);
            }

            foreach (var kind in Required)
            {
                var coordinating = kind switch
                {
                    PlanTaskKind.Handover => successors,
                    PlanTaskKind.TransferToHistoricalArchives => successors.Append(_options.HistoricalArchivesName).ToList(),
                    _ => [],
                };
                tasks.Add(new PlanTask
                {
                    Id = $"T{tasks.Count + 1:D3}",
                    Kind = kind,
                    AgencyId = a.AgencyId,
                    Title = $"{TitleOf(kind)} — {name}",
                    LeadUnit = name,
                    CoordinatingUnits = coordinating,
                    Deadline = _options.DeadlineOffsetDays.TryGetValue(kind, out var days) ? ev.EffectiveDate.AddDays(days) : null,
                });
            }
        }

        var plan = new ReorganisationPlan { EventId = ev.Id, Tasks = tasks };
        return await _store.CommitAsync(ev.Id, plan, 0, $"Generate plan of event {ev.Id}", user, null, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The plan at its head version, or null.</summary>
    public ValueTask<Versioned<ReorganisationPlan>?> GetAsync(string eventId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(eventId);
        return _store.GetAsync(eventId.Trim(), null, cancellationToken);
    }

    /// <summary>The plan's version history.</summary>
    /// <exception cref="ArchiveNotFoundException">No plan.</exception>
    public async ValueTask<IReadOnlyList<VersionInfo>> GetHistoryAsync(string eventId, CancellationToken cancellationToken = default)
        => await _store.HistoryAsync(eventId, cancellationToken).ConfigureAwait(false) ?? throw new ArchiveNotFoundException("reorganisation-plan", eventId);

    /// <summary>Adds a task (a new plan version).</summary>
    /// <exception cref="ArchiveValidationException">A rule is broken; nothing changed.</exception>
    /// <exception cref="ArchivePreconditionFailedException">The plan changed since <paramref name="expectedVersion"/>.</exception>
    public ValueTask<Versioned<ReorganisationPlan>> AddTaskAsync(string eventId, PlanTaskInput input, int? expectedVersion, ArchiveUser user, CancellationToken cancellationToken = default)
        => ChangeAsync(eventId, null, input, expectedVersion, user, cancellationToken);

    /// <summary>Replaces a task (a new plan version).</summary>
    /// <exception cref="ArchiveNotFoundException">No such plan or task.</exception>
    /// <exception cref="ArchiveValidationException">A rule is broken; nothing changed.</exception>
    /// <exception cref="ArchivePreconditionFailedException">The plan changed since <paramref name="expectedVersion"/>.</exception>
    public ValueTask<Versioned<ReorganisationPlan>> UpdateTaskAsync(string eventId, string taskId, PlanTaskInput input, int? expectedVersion, ArchiveUser user, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(taskId);
        return ChangeAsync(eventId, taskId, input, expectedVersion, user, cancellationToken);
    }

    /// <summary>Overlaps, omissions, overdue tasks and progress as of <paramref name="asOf"/>.</summary>
    /// <exception cref="ArchiveNotFoundException">No such event or plan.</exception>
    public async ValueTask<PlanReport> ReportAsync(string eventId, DateOnly asOf, CancellationToken cancellationToken = default)
    {
        var ev = await EventAsync(eventId, cancellationToken).ConfigureAwait(false);
        var plan = await GetAsync(ev.Id, cancellationToken).ConfigureAwait(false) ?? throw new ArchiveNotFoundException("reorganisation-plan", ev.Id);
        var tasks = plan.Value.Tasks;
        var overlaps = new List<PlanIssue>();
        foreach (var g in tasks.Where(t => t.Kind != PlanTaskKind.Other).GroupBy(t => (t.Kind, t.AgencyId)))
        {
            var leads = g.Where(t => !string.IsNullOrWhiteSpace(t.LeadUnit)).GroupBy(t => Norm(t.LeadUnit!)).ToList();
            if (leads.Count > 1)
            {
                overlaps.Add(new PlanIssue(
                    "plan.overlap",
                    g.Key.AgencyId,
                    g.Select(t => t.Id).ToList(),
                    $"{TitleOf(g.Key.Kind)} of '{g.Key.AgencyId}' is led by {leads.Count} different units: {string.Join(", ", leads.Select(l => l.First().LeadUnit!.Trim()))}."));
            }
        }

        var omissions = new List<PlanIssue>();
        foreach (var a in ev.Affected)
        {
            foreach (var (kind, rule) in new[] { (PlanTaskKind.Handover, "plan.missing-handover"), (PlanTaskKind.BackupAndSeal, "plan.missing-backup") })
            {
                if (!tasks.Any(t => t.Kind == kind && t.AgencyId == a.AgencyId))
                {
                    omissions.Add(new PlanIssue(rule, a.AgencyId, [], $"Agency '{a.AgencyId}' has no task '{TitleOf(kind)}'."));
                }
            }
        }

        foreach (var t in tasks)
        {
            if (string.IsNullOrWhiteSpace(t.LeadUnit))
            {
                omissions.Add(new PlanIssue("plan.task-without-lead", t.AgencyId, [t.Id], $"Task {t.Id} has no lead unit (đơn vị chủ trì)."));
            }

            if (t.Deadline is null)
            {
                omissions.Add(new PlanIssue("plan.task-without-deadline", t.AgencyId, [t.Id], $"Task {t.Id} has no deadline."));
            }
        }

        return new PlanReport
        {
            EventId = ev.Id,
            PlanVersion = plan.Version,
            AsOf = asOf,
            Overlaps = overlaps,
            Omissions = omissions,
            Overdue = tasks.Where(t => t.Status != PlanTaskStatus.Done && t.Deadline is { } d && d < asOf).ToList(),
            ByAgency = ev.Affected.Select(a => Progress(a.AgencyId, tasks.Where(t => t.AgencyId == a.AgencyId))).ToList(),
            Overall = Progress(ev.Id, tasks),
        };
    }

    internal static string TitleOf(PlanTaskKind kind) => kind switch
    {
        PlanTaskKind.ReviewAndWeed => "Rà soát tài liệu chưa chỉnh lý, loại tài liệu không có giá trị lưu trữ",
        PlanTaskKind.InventoryFinished => "Thống kê hồ sơ đã giải quyết xong",
        PlanTaskKind.InventoryUnfinished => "Thống kê hồ sơ chưa giải quyết xong",
        PlanTaskKind.PackageUnfinished => "Đóng gói riêng hồ sơ chưa giải quyết xong",
        PlanTaskKind.BackupAndSeal => "Sao lưu, niêm phong tài liệu số hóa",
        PlanTaskKind.Handover => "Bàn giao hồ sơ, tài liệu cho cơ quan kế thừa",
        PlanTaskKind.TransferToHistoricalArchives => "Nộp lưu hồ sơ vĩnh viễn vào Lưu trữ lịch sử",
        _ => "Nhiệm vụ khác",
    };

    private static PlanProgress Progress(string scope, IEnumerable<PlanTask> tasks)
    {
        var list = tasks.ToList();
        return new PlanProgress(scope, list.Count(t => t.Status == PlanTaskStatus.Done), list.Count);
    }

    private static string Norm(string s) => string.Join(' ', s.Normalize(System.Text.NormalizationForm.FormC).Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToUpperInvariant();

    private async ValueTask<ReorganisationEvent> EventAsync(string eventId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(eventId);
        return (await _events.GetAsync(eventId, cancellationToken).ConfigureAwait(false))?.Value
            ?? throw new ArchiveNotFoundException("reorganisation-event", eventId);
    }

    private async ValueTask<Versioned<ReorganisationPlan>> ChangeAsync(string eventId, string? taskId, PlanTaskInput input, int? expectedVersion, ArchiveUser user, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(user);
        user.Validate();
        var ev = await EventAsync(eventId, cancellationToken).ConfigureAwait(false);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var plan = await GetAsync(ev.Id, cancellationToken).ConfigureAwait(false) ?? throw new ArchiveNotFoundException("reorganisation-plan", ev.Id);
            if (expectedVersion is { } v && v != plan.Version)
            {
                throw new ArchivePreconditionFailedException("reorganisation-plan", ev.Id, v, plan.Version);
            }

            var errors = new List<ValidationError>();
            if (!Enum.IsDefined(input.Kind))
            {
                errors.Add(new("kind", "enum", $"'{input.Kind}' is not a kind of task: one of {string.Join(", ", Enum.GetNames(input.Kind.GetType()))}."));
            }

            if (!Enum.IsDefined(input.Status))
            {
                errors.Add(new("status", "enum", $"'{input.Status}' is not a task status: one of {string.Join(", ", Enum.GetNames(input.Status.GetType()))}."));
            }

            if (string.IsNullOrWhiteSpace(input.Title))
            {
                errors.Add(new("title", "required", "The task's content is required."));
            }
            else if (input.Title.Trim().Length > 500)
            {
                errors.Add(new("title", "max-length", "The task's content must be at most 500 characters."));
            }

            var agencyId = input.AgencyId?.Trim() ?? string.Empty;
            if (!ev.Affected.Any(a => a.AgencyId == agencyId))
            {
                errors.Add(new("agencyId", "plan.agency-not-affected", $"Agency '{agencyId}' is not affected by event '{ev.Id}'."));
            }

            if (input.CoordinatingUnits?.Any(string.IsNullOrWhiteSpace) == true)
            {
                errors.Add(new("coordinatingUnits", "plan.blank-unit", "A coordinating unit cannot be blank."));
            }

            var batchId = string.IsNullOrWhiteSpace(input.BacklogBatchId) ? null : input.BacklogBatchId.Trim();
            if (batchId is not null && (Backlog is null || await Backlog.GetAsync(batchId, null, cancellationToken).ConfigureAwait(false) is null))
            {
                errors.Add(new("backlogBatchId", "plan.backlog-batch-unknown", $"No backlog batch '{batchId}' is registered."));
            }

            var tasks = plan.Value.Tasks.ToList();
            var index = taskId is null ? -1 : tasks.FindIndex(t => t.Id == taskId.Trim());
            if (taskId is not null && index < 0)
            {
                throw new ArchiveNotFoundException("plan-task", taskId);
            }

            if (errors.Count > 0)
            {
                throw new ArchiveValidationException(errors);
            }

            var id = index >= 0 ? tasks[index].Id : $"T{tasks.Select(t => int.TryParse(t.Id.AsSpan(1), out var n) ? n : 0).DefaultIfEmpty(0).Max() + 1:D3}";
            var task = new PlanTask
            {
                Id = id,
                Kind = input.Kind,
                AgencyId = agencyId,
                Title = input.Title.Trim(),
                LeadUnit = string.IsNullOrWhiteSpace(input.LeadUnit) ? null : input.LeadUnit.Trim(),
                CoordinatingUnits = (input.CoordinatingUnits ?? []).Select(c => c.Trim()).ToList(),
                Deadline = input.Deadline,
                Status = input.Status,
                Notes = string.IsNullOrWhiteSpace(input.Notes) ? null : input.Notes.Trim(),
                BacklogBatchId = batchId,
            };
            if (index >= 0)
            {
                tasks[index] = task;
            }
            else
            {
                tasks.Add(task);
            }

            var message = index >= 0 ? $"Update task {id}" : $"Add task {id}";
            return await _store.CommitAsync(ev.Id, plan.Value with { Tasks = tasks }, plan.Version, message, user, null, null, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }
}

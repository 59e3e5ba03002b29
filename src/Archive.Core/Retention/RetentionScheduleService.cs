using System.Collections.Concurrent;
using Archive.Records;

namespace Archive.Retention;

/// <summary>
/// Retention schedules (bảng thời hạn lưu trữ): the built-in default (<see cref="Default"/>, labelled with its
/// sources) and each agency's own schedule, stored as a versioned package (<c>ocfl/schedules/&lt;agencyId&gt;</c>).
/// An agency's effective schedule is the default with the agency's items laid over it: an agency item replaces the
/// default item with the same code, other agency items are added.
/// </summary>
public sealed class RetentionScheduleService
{
    /// <summary>Id of the built-in default schedule.</summary>
    public const string DefaultScheduleId = "default";

    private const string ResourceName = "Archive.Retention.DefaultRetentionSchedule.json";
    private readonly PackageEntityStore<RetentionSchedule> _store;
    private readonly AgencyRegistry _agencies;
    private readonly ConcurrentDictionary<string, (RetentionSchedule Schedule, long LoadedAt)> _effective = new(StringComparer.Ordinal);
    private readonly TimeSpan? _maxAge;

    /// <summary>Creates the service.</summary>
    public RetentionScheduleService(ArchiveStorage storage, AgencyRegistry agencies)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(agencies);
        _store = new PackageEntityStore<RetentionSchedule>(storage.Schedules, "schedule", "metadata/schedule.json");
        _agencies = agencies;
        _maxAge = storage.RegistryCacheMaxAge;
    }

    /// <summary>
    /// The built-in default: only the Circular 10/2022/TT-BNV groups confirmed in the domain reference, plus older
    /// Circular 09/2011/TT-BNV values marked "re-check". Item codes are descriptive, not the Circular's numbering.
    /// </summary>
    public static RetentionSchedule Default { get; } = LoadDefault();

    /// <summary>An agency's own schedule as stored, or null when it has none.</summary>
    public async ValueTask<Versioned<RetentionSchedule>?> GetAgencyScheduleAsync(string agencyId, int? version = null, CancellationToken cancellationToken = default)
    {
        agencyId = AgencyIdentifier.Validate(agencyId);
        return await _store.GetAsync(agencyId, version, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The version history of an agency's schedule (empty when it has none).</summary>
    public async ValueTask<IReadOnlyList<VersionInfo>> GetAgencyScheduleHistoryAsync(string agencyId, CancellationToken cancellationToken = default)
    {
        agencyId = AgencyIdentifier.Validate(agencyId);
        return await _store.HistoryAsync(agencyId, cancellationToken).ConfigureAwait(false) ?? [];
    }

    /// <summary>
    /// The schedule that applies to <paramref name="agencyId"/>: the default overlaid with the agency's own items
    /// (the default alone when <paramref name="agencyId"/> is null or the agency has no schedule).
    /// </summary>
    public async ValueTask<RetentionSchedule> GetEffectiveAsync(string? agencyId, CancellationToken cancellationToken = default)
    {
        if (agencyId is null)
        {
            return Default;
        }

        // With several hosts on one storage, read again after the registries' maximum age (another host may have saved it).
        if (_effective.TryGetValue(agencyId, out var cached) && (_maxAge is not { } age || System.Diagnostics.Stopwatch.GetElapsedTime(cached.LoadedAt) < age))
        {
            return cached.Schedule;
        }

        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var own = await _store.GetAsync(AgencyIdentifier.Validate(agencyId), null, cancellationToken).ConfigureAwait(false);
        var effective = own is null ? Default : Merge(Default, own.Value);
        _effective[agencyId] = (effective, started);
        return effective;
    }

    /// <summary>
    /// Saves an agency's own schedule as a new version. Items without a source are labelled <c>agency</c>. The
    /// schedule's categories may refer to the default's.
    /// </summary>
    /// <param name="agencyId">The agency (must exist).</param>
    /// <param name="schedule">The agency's items (overrides and additions).</param>
    /// <param name="expectedVersion">The version the change is based on (0 when the agency has none yet); null to skip the check.</param>
    /// <param name="user">Who.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <exception cref="ArchiveValidationException">The schedule breaks a rule; nothing is stored.</exception>
    /// <exception cref="ArchiveNotFoundException">The agency does not exist.</exception>
    /// <exception cref="ArchivePreconditionFailedException">The schedule changed since <paramref name="expectedVersion"/>.</exception>
    public async ValueTask<WriteResult<RetentionSchedule>> SaveAgencyScheduleAsync(string agencyId, RetentionSchedule schedule, int? expectedVersion, ArchiveUser user, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentNullException.ThrowIfNull(user);
        user.Validate();
        agencyId = AgencyIdentifier.Validate(agencyId);
        _ = await _agencies.GetAsync(agencyId, cancellationToken).ConfigureAwait(false)
            ?? throw new ArchiveNotFoundException("agency", agencyId);
        var normalized = schedule with
        {
            AgencyId = agencyId,
            Items = schedule.Items.Select(i => i.Source is null ? i with { Source = "agency" } : i).ToList(),
        };
        var errors = RetentionScheduleFormats.Validate(normalized, Default.Categories);
        if (schedule.AgencyId is { } given && !string.Equals(given, agencyId, StringComparison.Ordinal))
        {
            errors.Add(new("agencyId", "schedule.agency-mismatch", $"The schedule belongs to '{given}', not '{agencyId}'."));
        }

        if (errors.Count > 0)
        {
            throw new ArchiveValidationException(errors);
        }

        var inventory = await _store.Packages.GetInventoryAsync(agencyId, cancellationToken).ConfigureAwait(false);
        var head = inventory?.Head ?? 0;
        if (expectedVersion is { } ev && ev != head)
        {
            throw new ArchivePreconditionFailedException("schedule", agencyId, ev, head);
        }

        var stored = await _store.CommitAsync(agencyId, normalized, head, head == 0 ? "Create retention schedule" : "Update retention schedule", user, null, null, cancellationToken).ConfigureAwait(false);
        _effective.TryRemove(agencyId, out _);
        return new WriteResult<RetentionSchedule> { Stored = stored };
    }

    /// <summary>Reads a schedule from JSON or CSV (see <see cref="RetentionScheduleFormats"/>) and saves it as the agency's own.</summary>
    public async ValueTask<WriteResult<RetentionSchedule>> ImportAgencyScheduleAsync(string agencyId, Stream content, RetentionScheduleFormat format, int? expectedVersion, ArchiveUser user, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        agencyId = AgencyIdentifier.Validate(agencyId);
        var schedule = format switch
        {
            RetentionScheduleFormat.Json => await RetentionScheduleFormats.ReadJsonAsync(content, Default.Categories, cancellationToken).ConfigureAwait(false),
            RetentionScheduleFormat.Csv => await RetentionScheduleFormats.ReadCsvAsync(content, agencyId, "Bảng thời hạn lưu trữ của cơ quan " + agencyId, Default.Categories, cancellationToken).ConfigureAwait(false),
            _ => throw new ArchiveValidationException("format", "schedule.format", "The schedule format must be JSON or CSV."),
        };
        return await SaveAgencyScheduleAsync(agencyId, schedule, expectedVersion, user, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Lays <paramref name="overlay"/> over <paramref name="baseline"/>: same code → replaced; new codes → added.</summary>
    public static RetentionSchedule Merge(RetentionSchedule baseline, RetentionSchedule overlay)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        ArgumentNullException.ThrowIfNull(overlay);
        var overlayItems = overlay.Items.ToDictionary(i => i.Code, StringComparer.Ordinal);
        var items = baseline.Items.Select(i => overlayItems.TryGetValue(i.Code, out var o) ? o : i).ToList();
        var baseCodes = baseline.Items.Select(i => i.Code).ToHashSet(StringComparer.Ordinal);
        items.AddRange(overlay.Items.Where(i => !baseCodes.Contains(i.Code)));
        var overlayCategories = overlay.Categories.ToDictionary(c => c.Code, StringComparer.Ordinal);
        var categories = baseline.Categories.Select(c => overlayCategories.TryGetValue(c.Code, out var o) ? o : c).ToList();
        var baseCategoryCodes = baseline.Categories.Select(c => c.Code).ToHashSet(StringComparer.Ordinal);
        categories.AddRange(overlay.Categories.Where(c => !baseCategoryCodes.Contains(c.Code)));
        return new RetentionSchedule
        {
            Id = overlay.Id,
            Title = overlay.Title,
            AgencyId = overlay.AgencyId,
            Source = $"{overlay.Source ?? "agency schedule"}; over: {baseline.Title}",
            Categories = categories,
            Items = items,
        };
    }

    private static RetentionSchedule LoadDefault()
    {
        using var stream = typeof(RetentionScheduleService).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The embedded resource {ResourceName} is missing from the Archive.Core assembly.");
        return RetentionScheduleFormats.ReadJsonAsync(stream).AsTask().GetAwaiter().GetResult();
    }
}

/// <summary>File formats of a retention schedule.</summary>
public enum RetentionScheduleFormat
{
    /// <summary>JSON (the <see cref="RetentionSchedule"/> shape).</summary>
    Json = 0,

    /// <summary>CSV with one row per item (see <see cref="RetentionScheduleFormats"/>).</summary>
    Csv = 1,
}

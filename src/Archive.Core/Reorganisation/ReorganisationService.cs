using System.Globalization;
using System.Text.RegularExpressions;
using Archive.Hosting;
using Archive.Records;
using Archive.Storage;

namespace Archive.Reorganisation;

/// <summary>
/// Reorganisation events (merger, consolidation, split, dissolution): one versioned package per event in
/// <c>ocfl/events</c>. Applying an event (on or after its effective date) changes the affected agencies' status,
/// closes their fonds (đóng phông) with the event as reason and passes custody of every fonds they hold to the
/// successor named for it. The chain of custody across successive events is answered by <see cref="WhoHoldsAsync"/>.
/// </summary>
/// <remarks>
/// Applying is idempotent and resumable: the transfers are fixed in the event package first (status
/// <see cref="ReorganisationEventStatus.Applying"/>), then each step is done only if not done yet, then the event is
/// marked applied. A crash in between leaves an event that <see cref="ApplyAsync"/> finishes.
/// </remarks>
public sealed partial class ReorganisationService
{
    /// <summary>Storage root of event packages.</summary>
    public const string EventsRoot = "ocfl/events";

    /// <summary>Longest event identifier.</summary>
    public const int IdMax = 64;

    private readonly PackageEntityStore<ReorganisationEvent> _store;
    private readonly AgencyRegistry _agencies;
    private readonly FondsRegistry _fonds;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Creates the service.</summary>
    public ReorganisationService(IObjectStore objects, PackageStoreFactory packageStores, AgencyRegistry agencies, FondsRegistry fonds, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(objects);
        ArgumentNullException.ThrowIfNull(packageStores);
        ArgumentNullException.ThrowIfNull(agencies);
        ArgumentNullException.ThrowIfNull(fonds);
        _store = new PackageEntityStore<ReorganisationEvent>(packageStores(objects, EventsRoot), "reorganisation-event", "metadata/event.json");
        _agencies = agencies;
        _fonds = fonds;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Records an event (not applied yet).</summary>
    /// <exception cref="ArchiveValidationException">Every broken rule, by field; nothing is stored.</exception>
    /// <exception cref="ArchiveConflictException">An event with this id exists.</exception>
    public async ValueTask<Versioned<ReorganisationEvent>> RecordAsync(ReorganisationEventInput input, ArchiveUser user, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(user);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var ev = await ValidateAsync(input, cancellationToken).ConfigureAwait(false);
            return await _store.CommitAsync(ev.Id, ev, 0, $"Record {ev.Kind} event {ev.Id} ({ev.LegalBasis})", user, null, null, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The event at its head version, or null.</summary>
    public ValueTask<Versioned<ReorganisationEvent>?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        return _store.GetAsync(id.Trim(), null, cancellationToken);
    }

    /// <summary>The event's version history.</summary>
    /// <exception cref="ArchiveNotFoundException">No such event.</exception>
    public async ValueTask<IReadOnlyList<VersionInfo>> GetHistoryAsync(string id, CancellationToken cancellationToken = default)
        => await _store.HistoryAsync(id, cancellationToken).ConfigureAwait(false) ?? throw new ArchiveNotFoundException("reorganisation-event", id);

    /// <summary>Every event, by effective date then id.</summary>
    public async ValueTask<IReadOnlyList<Versioned<ReorganisationEvent>>> ListAsync(CancellationToken cancellationToken = default)
    {
        var list = new List<Versioned<ReorganisationEvent>>();
        await foreach (var e in _store.ListAsync(null, cancellationToken).ConfigureAwait(false))
        {
            list.Add(e);
        }

        return list.OrderBy(e => e.Value.EffectiveDate).ThenBy(e => e.Value.Id, StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// Applies the event as of <paramref name="asOf"/> (on or after its effective date): agencies' status updated,
    /// their own fonds closed with the event as reason, custody of every fonds they hold passed to its successor.
    /// Applying an applied event changes nothing.
    /// </summary>
    /// <exception cref="ArchiveNotFoundException">No such event.</exception>
    /// <exception cref="ArchiveConflictException">Not effective yet on <paramref name="asOf"/> or today (<c>reorganisation.not-yet-effective</c>).</exception>
    /// <exception cref="ArchiveValidationException">The state changed since the event was recorded and a rule is now broken; nothing changed.</exception>
    public async ValueTask<ApplyResult> ApplyAsync(string eventId, DateOnly asOf, ArchiveUser user, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(eventId);
        ArgumentNullException.ThrowIfNull(user);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var current = await _store.GetAsync(eventId.Trim(), null, cancellationToken).ConfigureAwait(false)
                ?? throw new ArchiveNotFoundException("reorganisation-event", eventId);
            var ev = current.Value;
            if (ev.Status == ReorganisationEventStatus.Applied)
            {
                return new ApplyResult(ev, true);
            }

            var today = DateOnly.FromDateTime(_time.GetLocalNow().DateTime);
            if (asOf < ev.EffectiveDate || today < ev.EffectiveDate)
            {
                throw new ArchiveConflictException("reorganisation-event", ev.Id, "reorganisation.not-yet-effective", $"Event '{ev.Id}' takes effect on {Day(ev.EffectiveDate)}; it cannot be applied as of {Day(asOf)}.");
            }

            if (ev.Status == ReorganisationEventStatus.Recorded)
            {
                var transfers = await PlanTransfersAsync(ev, cancellationToken).ConfigureAwait(false);
                ev = ev with { Status = ReorganisationEventStatus.Applying, Transfers = transfers };
                current = await _store.CommitAsync(ev.Id, ev, current.Version, $"Start applying event {ev.Id}", user, null, null, cancellationToken).ConfigureAwait(false);
            }

            var reason = $"{KindText(ev.Kind)} theo {ev.LegalBasis} (sự kiện {ev.Id}), hiệu lực từ {Day(ev.EffectiveDate)}";
            foreach (var t in ev.Transfers)
            {
                var fonds = await _fonds.GetAsync(t.FondsCode, cancellationToken).ConfigureAwait(false)
                    ?? throw new ArchiveNotFoundException("fonds", t.FondsCode);
                if (t.CloseFonds && fonds.Value.Status == FondsStatus.Open)
                {
                    fonds = (await _fonds.CloseAsync(t.FondsCode, ev.EffectiveDate, reason, null, user, cancellationToken).ConfigureAwait(false)).Stored;
                }

                var f = fonds.Value;
                if (!string.Equals(f.CustodianAgencyId ?? f.AgencyId, t.ToAgencyId, StringComparison.Ordinal))
                {
                    await _fonds.UpdateAsync(FondsInput.WithCustodian(f, t.ToAgencyId), null, user, cancellationToken).ConfigureAwait(false);
                }
            }

            var status = ev.Kind switch
            {
                ReorganisationKind.Merger => AgencyStatus.Merged,
                ReorganisationKind.Consolidation => AgencyStatus.Consolidated,
                ReorganisationKind.Split => AgencyStatus.Split,
                _ => AgencyStatus.Dissolved,
            };
            foreach (var a in ev.Affected)
            {
                var agency = await _agencies.GetAsync(a.AgencyId, cancellationToken).ConfigureAwait(false)
                    ?? throw new ArchiveNotFoundException("agency", a.AgencyId);
                if (agency.Value.Status != status)
                {
                    await _agencies.UpdateAsync(agency.Value with { Status = status }, null, user, cancellationToken).ConfigureAwait(false);
                }
            }

            ev = ev with { Status = ReorganisationEventStatus.Applied, AppliedOn = asOf };
            var done = await _store.CommitAsync(ev.Id, ev, current.Version, $"Applied event {ev.Id} as of {Day(asOf)}", user, null, null, cancellationToken).ConfigureAwait(false);
            return new ApplyResult(done.Value, false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Who holds a fonds (by fonds code) or an agency's records (by agency id: its own fonds, or — for an agency
    /// without one — its succession) on <paramref name="asOf"/>, with the chain of applied events that led there.
    /// </summary>
    /// <exception cref="ArchiveNotFoundException">Neither a fonds nor an agency has this code.</exception>
    public async ValueTask<CustodyAnswer> WhoHoldsAsync(string agencyIdOrFondsCode, DateOnly asOf, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(agencyIdOrFondsCode);
        var key = agencyIdOrFondsCode.Trim();
        var events = (await ListAsync(cancellationToken).ConfigureAwait(false))
            .Where(e => e.Value.Status == ReorganisationEventStatus.Applied && e.Value.EffectiveDate <= asOf)
            .OrderBy(e => e.Value.EffectiveDate)
            .ThenBy(e => e.Modified)
            .Select(e => e.Value)
            .ToList();

        var fonds = await _fonds.GetAsync(key, cancellationToken).ConfigureAwait(false)
            ?? await _fonds.GetByAgencyAsync(key, cancellationToken).ConfigureAwait(false);
        var chain = new List<CustodyStep>();
        if (fonds is not null)
        {
            var code = fonds.Value.Code;
            string? custodian = null;
            foreach (var e in events)
            {
                foreach (var t in e.Transfers.Where(t => string.Equals(t.FondsCode, code, StringComparison.Ordinal)))
                {
                    custodian ??= t.FromAgencyId;
                    chain.Add(new CustodyStep(e.Id, e.Kind, e.LegalBasis, e.EffectiveDate, t.FromAgencyId, t.ToAgencyId));
                    custodian = t.ToAgencyId;
                }
            }

            if (custodian is null)
            {
                // No transfer yet on that date: the custodian before the first transfer ever (or today's, if none).
                var all = (await ListAsync(cancellationToken).ConfigureAwait(false))
                    .Where(e => e.Value.Status == ReorganisationEventStatus.Applied)
                    .OrderBy(e => e.Value.EffectiveDate).ThenBy(e => e.Modified)
                    .SelectMany(e => e.Value.Transfers)
                    .FirstOrDefault(t => string.Equals(t.FondsCode, code, StringComparison.Ordinal));
                custodian = all?.FromAgencyId ?? fonds.Value.CustodianAgencyId ?? fonds.Value.AgencyId;
            }

            return new CustodyAnswer(code, fonds.Value.AgencyId, custodian, chain);
        }

        if (await _agencies.GetAsync(key, cancellationToken).ConfigureAwait(false) is null)
        {
            throw new ArchiveNotFoundException("agency", key, "no fonds or agency has this code");
        }

        var holder = key;
        foreach (var e in events)
        {
            var a = e.Affected.FirstOrDefault(x => string.Equals(x.AgencyId, holder, StringComparison.Ordinal));
            var next = a?.SuccessorAgencyId ?? a?.Fonds.FirstOrDefault()?.SuccessorAgencyId;
            if (next is not null)
            {
                chain.Add(new CustodyStep(e.Id, e.Kind, e.LegalBasis, e.EffectiveDate, holder, next));
                holder = next;
            }
        }

        return new CustodyAnswer(null, key, holder, chain);
    }

    /// <summary>
    /// The agency that receives <paramref name="fonds"/> in a handover under event <paramref name="eventId"/>: the
    /// successor the event names for the fonds itself, else the successor of the affected agency (the one whose
    /// affected entry lists the fonds, else the fonds' creating agency). Null when the event names no successor.
    /// </summary>
    /// <exception cref="ArchiveValidationException">No such event (<c>eventId</c>, <c>reorganisation.not-found</c>), or it affects neither the fonds nor its agency (<c>handover.fonds-not-affected</c>).</exception>
    public async ValueTask<string?> SuccessorOfAsync(string eventId, Fonds fonds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(eventId);
        ArgumentNullException.ThrowIfNull(fonds);
        var ev = (await GetAsync(eventId, cancellationToken).ConfigureAwait(false)
            ?? throw new ArchiveValidationException("eventId", "reorganisation.not-found", $"Reorganisation event '{eventId}' does not exist.")).Value;
        var affected = ev.Affected.FirstOrDefault(a => a.Fonds.Any(f => f.FondsCode == fonds.Code))
            ?? ev.Affected.FirstOrDefault(a => a.AgencyId == fonds.AgencyId)
            ?? throw new ArchiveValidationException("eventId", "handover.fonds-not-affected", $"Event '{eventId}' does not affect fonds '{fonds.Code}' or its agency.");
        return affected.Fonds.FirstOrDefault(f => f.FondsCode == fonds.Code)?.SuccessorAgencyId ?? affected.SuccessorAgencyId;
    }

    internal static string Day(DateOnly d) => d.ToString("dd/MM/yyyy", CultureInfo.InvariantCulture);

    internal static string KindText(ReorganisationKind kind) => kind switch
    {
        ReorganisationKind.Merger => "Sáp nhập",
        ReorganisationKind.Consolidation => "Hợp nhất",
        ReorganisationKind.Split => "Chia, tách",
        _ => "Giải thể",
    };

    private async ValueTask<IReadOnlyList<CustodyTransfer>> PlanTransfersAsync(ReorganisationEvent ev, CancellationToken cancellationToken)
    {
        var errors = new List<ValidationError>();
        var affectedIds = ev.Affected.Select(a => a.AgencyId).ToHashSet(StringComparer.Ordinal);
        var allFonds = await _fonds.ListAsync(cancellationToken).ConfigureAwait(false);
        var transfers = new List<CustodyTransfer>();
        for (var i = 0; i < ev.Affected.Count; i++)
        {
            var a = ev.Affected[i];
            var field = $"affected[{i}]";
            var agency = await _agencies.GetAsync(a.AgencyId, cancellationToken).ConfigureAwait(false);
            if (agency is null)
            {
                errors.Add(new($"{field}.agencyId", "agency.not-found", $"Agency '{a.AgencyId}' is not registered."));
                continue;
            }

            if (agency.Value.Status != AgencyStatus.Active)
            {
                errors.Add(new($"{field}.agencyId", "agency.not-active", $"Agency '{a.AgencyId}' was already reorganised ({agency.Value.Status})."));
            }

            foreach (var s in a.Fonds.Select(x => x.SuccessorAgencyId).Append(a.SuccessorAgencyId).OfType<string>().Distinct(StringComparer.Ordinal))
            {
                var succ = await _agencies.GetAsync(s, cancellationToken).ConfigureAwait(false);
                if (succ is null)
                {
                    errors.Add(new($"{field}.successorAgencyId", "agency.not-found", $"Successor '{s}' is not registered."));
                }
                else if (succ.Value.Status != AgencyStatus.Active)
                {
                    errors.Add(new($"{field}.successorAgencyId", "successor.inactive", $"Successor '{s}' no longer operates ({succ.Value.Status})."));
                }
            }

            foreach (var f in allFonds.Where(f => string.Equals(f.Value.CustodianAgencyId ?? f.Value.AgencyId, a.AgencyId, StringComparison.Ordinal)))
            {
                var to = a.Fonds.FirstOrDefault(x => string.Equals(x.FondsCode, f.Value.Code, StringComparison.Ordinal))?.SuccessorAgencyId
                    ?? (ev.Kind == ReorganisationKind.Split ? null : a.SuccessorAgencyId);
                if (to is null)
                {
                    errors.Add(new($"{field}.fonds", "split.fonds-successor-required", $"The split must name a successor for fonds '{f.Value.Code}' held by '{a.AgencyId}'."));
                    continue;
                }

                var close = string.Equals(f.Value.AgencyId, a.AgencyId, StringComparison.Ordinal) && f.Value.Status == FondsStatus.Open;
                transfers.Add(new CustodyTransfer(f.Value.Code, a.AgencyId, to, close));
            }
        }

        if (errors.Count > 0)
        {
            throw new ArchiveValidationException(errors);
        }

        return transfers;
    }

    private async ValueTask<ReorganisationEvent> ValidateAsync(ReorganisationEventInput input, CancellationToken cancellationToken)
    {
        var errors = new List<ValidationError>();
        var id = input.Id?.Trim() ?? string.Empty;
        if (id.Length == 0)
        {
            errors.Add(new("id", "required", "The event identifier is required."));
        }
        else if (id.Length > IdMax || !IdPattern().IsMatch(id))
        {
            errors.Add(new("id", "reorganisation.id-format", $"The event identifier is at most {IdMax} letters, digits, '.', '-' and '_', e.g. 2025-QD-1234."));
        }

        if (!Enum.IsDefined(input.Kind))
        {
            errors.Add(new("kind", "enum", $"'{input.Kind}' is not a kind of reorganisation: one of {string.Join(", ", Enum.GetNames(input.Kind.GetType()))}."));
        }

        var decision = input.DecisionNumber?.Trim();
        if (string.IsNullOrEmpty(decision))
        {
            errors.Add(new("decisionNumber", "required", "The legal basis (number and symbol of the decision) is required."));
        }
        else if (decision.Length > 100)
        {
            errors.Add(new("decisionNumber", "max-length", "The decision number must be at most 100 characters."));
        }

        if (input.DecisionDate is null)
        {
            errors.Add(new("decisionDate", "required", "The date of the decision is required."));
        }

        if (input.EffectiveDate is null)
        {
            errors.Add(new("effectiveDate", "required", "The effective date is required."));
        }
        else if (input.DecisionDate is { } dd && input.EffectiveDate < dd)
        {
            errors.Add(new("effectiveDate", "reorganisation.effective-before-decision", "The effective date cannot precede the decision."));
        }

        if (input.Affected is null || input.Affected.Count == 0)
        {
            errors.Add(new("affected", "required", "At least one affected agency is required."));
        }

        var affected = new List<AffectedAgency>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var edges = new List<(string From, string To)>();
        var fondsList = await _fonds.ListAsync(cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < (input.Affected?.Count ?? 0); i++)
        {
            var a = input.Affected![i];
            var field = $"affected[{i}]";
            var agencyId = await AgencyAsync(a?.AgencyId, $"{field}.agencyId", errors, cancellationToken).ConfigureAwait(false);
            if (a is null || agencyId is null)
            {
                continue;
            }

            if (!ids.Add(agencyId))
            {
                errors.Add(new($"{field}.agencyId", "reorganisation.agency-duplicate", $"Agency '{agencyId}' is listed twice."));
            }

            var agency = await _agencies.GetAsync(agencyId, cancellationToken).ConfigureAwait(false);
            if (agency is not null && agency.Value.Status != AgencyStatus.Active)
            {
                errors.Add(new($"{field}.agencyId", "agency.not-active", $"Agency '{agencyId}' was already reorganised ({agency.Value.Status})."));
            }

            string? successor = null;
            if (!string.IsNullOrWhiteSpace(a.SuccessorAgencyId))
            {
                successor = await SuccessorAsync(a.SuccessorAgencyId, agencyId, $"{field}.successorAgencyId", errors, cancellationToken).ConfigureAwait(false);
                if (successor is not null)
                {
                    edges.Add((agencyId, successor));
                }
            }
            else if (input.Kind != ReorganisationKind.Split)
            {
                errors.Add(new($"{field}.successorAgencyId", "required", $"A successor is required to receive the records of '{agencyId}'."));
            }

            var held = fondsList.Where(f => string.Equals(f.Value.CustodianAgencyId ?? f.Value.AgencyId, agencyId, StringComparison.Ordinal)).Select(f => f.Value.Code).ToHashSet(StringComparer.Ordinal);
            var perFonds = new List<FondsSuccession>();
            for (var j = 0; j < (a.Fonds?.Count ?? 0); j++)
            {
                var fs = a.Fonds![j];
                var ff = $"{field}.fonds[{j}]";
                var code = fs.FondsCode?.Trim() ?? string.Empty;
                if (!held.Contains(code))
                {
                    errors.Add(fondsList.Any(f => f.Value.Code == code)
                        ? new($"{ff}.fondsCode", "fonds.not-held", $"Fonds '{code}' is not held by '{agencyId}'.")
                        : new($"{ff}.fondsCode", "fonds.not-found", $"Fonds '{code}' does not exist."));
                }

                var s = await SuccessorAsync(fs.SuccessorAgencyId, agencyId, $"{ff}.successorAgencyId", errors, cancellationToken).ConfigureAwait(false);
                if (s is not null)
                {
                    edges.Add((agencyId, s));
                    perFonds.Add(new FondsSuccession(code, s));
                }
            }

            if (input.Kind == ReorganisationKind.Split && successor is null)
            {
                foreach (var code in held.Where(c => !perFonds.Any(p => p.FondsCode == c)).Order(StringComparer.Ordinal))
                {
                    errors.Add(new($"{field}.fonds", "split.fonds-successor-required", $"The split must name a successor for fonds '{code}' held by '{agencyId}'."));
                }
            }

            affected.Add(new AffectedAgency { AgencyId = agencyId, SuccessorAgencyId = successor, Fonds = perFonds });
        }

        // Kind rules.
        var successors = affected.Select(a => a.SuccessorAgencyId).Distinct(StringComparer.Ordinal).ToList();
        if (input.Kind == ReorganisationKind.Consolidation && affected.Count < 2)
        {
            errors.Add(new("affected", "consolidation.two-or-more", "A consolidation (hợp nhất) joins at least two agencies into a new one."));
        }

        if (input.Kind is ReorganisationKind.Consolidation or ReorganisationKind.Merger && successors.Count > 1)
        {
            errors.Add(new("affected", "reorganisation.one-successor", "A merger or consolidation has one successor for every affected agency."));
        }

        // Successors reorganised by the same event, and cycles (also with events recorded but not applied yet).
        var pending = (await ListAsync(cancellationToken).ConfigureAwait(false))
            .Where(e => e.Value.Status != ReorganisationEventStatus.Applied && !string.Equals(e.Value.Id, id, StringComparison.Ordinal))
            .SelectMany(e => e.Value.Affected.SelectMany(a => a.Fonds.Select(f => f.SuccessorAgencyId).Append(a.SuccessorAgencyId).OfType<string>().Select(s => (a.AgencyId, s))))
            .ToList();
        var graph = edges.Concat(pending).GroupBy(e => e.Item1, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Select(x => x.Item2).Distinct(StringComparer.Ordinal).ToList(), StringComparer.Ordinal);
        foreach (var (from, to) in edges.Distinct())
        {
            if (Reaches(graph, to, from))
            {
                errors.Add(new("affected", "successor.cycle", $"Succession '{from}' → '{to}' closes a cycle: '{to}' passes its records back to '{from}'."));
            }
            else if (ids.Contains(to))
            {
                errors.Add(new("affected", "successor.affected", $"Successor '{to}' of '{from}' is itself reorganised by this event."));
            }
        }

        if (errors.Count > 0)
        {
            throw new ArchiveValidationException(errors.Distinct().ToList());
        }

        return new ReorganisationEvent
        {
            Id = id,
            Kind = input.Kind,
            DecisionNumber = decision!,
            DecisionDate = input.DecisionDate!.Value,
            DecisionAuthority = string.IsNullOrWhiteSpace(input.DecisionAuthority) ? null : input.DecisionAuthority.Trim(),
            EffectiveDate = input.EffectiveDate!.Value,
            Description = string.IsNullOrWhiteSpace(input.Description) ? null : input.Description.Trim(),
            Affected = affected,
        };
    }

    private static bool Reaches(Dictionary<string, List<string>> graph, string start, string target)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        stack.Push(start);
        while (stack.Count > 0)
        {
            var n = stack.Pop();
            if (string.Equals(n, target, StringComparison.Ordinal))
            {
                return true;
            }

            if (seen.Add(n) && graph.TryGetValue(n, out var next))
            {
                foreach (var x in next)
                {
                    stack.Push(x);
                }
            }
        }

        return false;
    }

    private async ValueTask<string?> AgencyAsync(string? value, string field, List<ValidationError> errors, CancellationToken cancellationToken)
    {
        string id;
        try
        {
            id = AgencyIdentifier.Validate(value, field);
        }
        catch (ArchiveValidationException ex)
        {
            errors.AddRange(ex.Errors);
            return null;
        }

        if (await _agencies.GetAsync(id, cancellationToken).ConfigureAwait(false) is null)
        {
            errors.Add(new(field, "agency.not-found", $"Agency '{id}' is not registered."));
            return null;
        }

        return id;
    }

    private async ValueTask<string?> SuccessorAsync(string? value, string agencyId, string field, List<ValidationError> errors, CancellationToken cancellationToken)
    {
        var id = await AgencyAsync(value, field, errors, cancellationToken).ConfigureAwait(false);
        if (id is null)
        {
            return null;
        }

        if (string.Equals(id, agencyId, StringComparison.Ordinal))
        {
            errors.Add(new(field, "successor.self", $"Agency '{agencyId}' cannot be its own successor."));
            return null;
        }

        var s = await _agencies.GetAsync(id, cancellationToken).ConfigureAwait(false);
        if (s is not null && s.Value.Status != AgencyStatus.Active)
        {
            errors.Add(new(field, "successor.inactive", $"Successor '{id}' no longer operates ({s.Value.Status}); name the body that took over from it."));
            return null;
        }

        return id;
    }

    [GeneratedRegex(@"^[0-9A-Za-z][0-9A-Za-z.\-_]*$", RegexOptions.CultureInvariant)]
    private static partial Regex IdPattern();
}

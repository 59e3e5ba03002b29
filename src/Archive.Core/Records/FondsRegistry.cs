using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace Archive.Records;

/// <summary>What a caller may set on a fonds; status and closing are managed by <see cref="FondsRegistry.CloseAsync"/>.</summary>
public sealed record FondsInput
{
    /// <summary>Fonds code (unique; letters, digits, '.', '-', '_'), e.g. the creating agency's identifier.</summary>
    public required string Code { get; init; }

    /// <summary>Fonds name (tên phông).</summary>
    public required string Name { get; init; }

    /// <summary>The creating agency (must be registered; one fonds per creating agency; cannot change).</summary>
    public required string AgencyId { get; init; }

    /// <summary>The agency holding the records today (must be registered); the creator when null.</summary>
    public string? CustodianAgencyId { get; init; }

    /// <summary>History of the creating body.</summary>
    public string? History { get; init; }

    /// <summary>Classification scheme.</summary>
    public string? ClassificationScheme { get; init; }

    /// <summary>Main language.</summary>
    public string Language { get; init; } = "vi";

    /// <summary>Notes.</summary>
    public string? Notes { get; init; }

    /// <summary>The input that keeps everything of <paramref name="fonds"/> but hands it to another custodian.</summary>
    internal static FondsInput WithCustodian(Fonds fonds, string custodianAgencyId) => new()
    {
        Code = fonds.Code,
        Name = fonds.Name,
        AgencyId = fonds.AgencyId,
        CustodianAgencyId = custodianAgencyId,
        History = fonds.History,
        ClassificationScheme = fonds.ClassificationScheme,
        Language = fonds.Language,
        Notes = fonds.Notes,
    };
}

/// <summary>
/// Fonds (phông lưu trữ): one per creating agency, one versioned package each in <c>ocfl/fonds</c>, cached in memory.
/// Closing a fonds (đóng phông) is irreversible: afterwards it receives no new record files.
/// </summary>
public sealed partial class FondsRegistry
{
    /// <summary>Longest fonds code.</summary>
    public const int CodeMax = 50;

    /// <summary>Longest fonds name.</summary>
    public const int NameMax = 500;

    /// <summary>Longest history of the creating body.</summary>
    public const int HistoryMax = 20000;

    /// <summary>Longest classification scheme, notes or closing reason.</summary>
    public const int NotesMax = 4000;

    private readonly PackageEntityStore<Fonds> _store;
    private readonly AgencyRegistry _agencies;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _createLock = new(1, 1);
    private readonly ConcurrentDictionary<string, FondsLock> _fondsLocks = new(StringComparer.Ordinal);
    private readonly RegistryCache<Fonds> _cache;

    /// <summary>Creates the registry.</summary>
    public FondsRegistry(ArchiveStorage storage, AgencyRegistry agencies, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(agencies);
        _store = new PackageEntityStore<Fonds>(storage.Fonds, "fonds", "metadata/fonds.json");
        _cache = new RegistryCache<Fonds>(_store, f => f.Code, storage.RegistryCacheMaxAge);
        _agencies = agencies;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Creates an open fonds for a registered agency that has none yet.</summary>
    /// <exception cref="ArchiveValidationException">A rule is broken (code format, name, unknown agency).</exception>
    /// <exception cref="ArchiveConflictException">The code is taken (<see cref="ConflictRules.AlreadyExists"/>) or the agency already has a fonds (<see cref="ConflictRules.AgencyHasFonds"/>).</exception>
    public async ValueTask<WriteResult<Fonds>> CreateAsync(FondsInput input, ArchiveUser user, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(user);
        user.Validate();
        var fonds = await ValidateAsync(input, null, cancellationToken).ConfigureAwait(false);
        var cache = await CacheAsync(cancellationToken).ConfigureAwait(false);
        await _createLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (cache.ContainsKey(fonds.Code))
            {
                throw new ArchiveConflictException("fonds", fonds.Code, ConflictRules.AlreadyExists, $"Fonds '{fonds.Code}' already exists.");
            }

            // Codes that differ only in letter case would name two fonds that read the same (and one folder on a
            // case-insensitive file system): taken too.
            if (cache.Keys.FirstOrDefault(k => string.Equals(k, fonds.Code, StringComparison.OrdinalIgnoreCase)) is { } variant)
            {
                throw new ArchiveConflictException("fonds", fonds.Code, ConflictRules.AlreadyExists, $"Fonds '{variant}' already exists; fonds codes that differ only in letter case cannot coexist.");
            }

            if (cache.Values.FirstOrDefault(f => string.Equals(f.Value.AgencyId, fonds.AgencyId, StringComparison.Ordinal)) is { } existing)
            {
                throw new ArchiveConflictException("fonds", fonds.Code, ConflictRules.AgencyHasFonds, $"Agency '{fonds.AgencyId}' already has fonds '{existing.Value.Code}': one fonds per creating agency.");
            }

            var stored = await _store.CommitAsync(fonds.Code, fonds, 0, $"Create fonds {fonds.Code} of agency {fonds.AgencyId}", user, null, null, cancellationToken).ConfigureAwait(false);
            cache[fonds.Code] = stored;
            return new WriteResult<Fonds> { Stored = stored };
        }
        finally
        {
            _createLock.Release();
        }
    }

    /// <summary>Replaces a fonds' description. The creating agency cannot change; status is kept (see <see cref="CloseAsync"/>).</summary>
    /// <exception cref="ArchiveNotFoundException">No such fonds.</exception>
    /// <exception cref="ArchivePreconditionFailedException">The fonds changed since <paramref name="expectedVersion"/>.</exception>
    public async ValueTask<WriteResult<Fonds>> UpdateAsync(FondsInput input, int? expectedVersion, ArchiveUser user, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(user);
        user.Validate();
        var code = input.Code?.Trim() ?? string.Empty;
        using var _ = await LockAsync(code, cancellationToken).ConfigureAwait(false);
        var current = await _store.GetAsync(code, null, cancellationToken).ConfigureAwait(false)
            ?? throw new ArchiveNotFoundException("fonds", code);
        var fonds = await ValidateAsync(input, current.Value, cancellationToken).ConfigureAwait(false);
        return await CommitUpdateAsync(current, fonds, expectedVersion, $"Update fonds {fonds.Code}", user, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Closes the fonds (đóng phông) on <paramref name="closedOn"/>, e.g. the day the agency stopped operating.
    /// Irreversible: the fonds receives no new record files afterwards.
    /// </summary>
    /// <exception cref="ArchiveValidationException">The reason is missing or the date is in the future.</exception>
    /// <exception cref="FondsClosedException">The fonds is already closed.</exception>
    public async ValueTask<WriteResult<Fonds>> CloseAsync(string code, DateOnly closedOn, string reason, int? expectedVersion, ArchiveUser user, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(code);
        ArgumentNullException.ThrowIfNull(user);
        user.Validate();
        var errors = new List<ValidationError>();
        if (string.IsNullOrWhiteSpace(reason))
        {
            errors.Add(new("reason", "fonds.closing-reason-required", "Closing a fonds needs a reason (e.g. the reorganisation decision)."));
        }
        else if (reason.Length > NotesMax)
        {
            errors.Add(new("reason", "max-length", $"The closing reason must be at most {NotesMax} characters."));
        }
        else
        {
            TextRules.Check(errors, "reason", reason, multiline: true);
        }

        var today = DateOnly.FromDateTime(_time.GetLocalNow().DateTime);
        if (closedOn > today)
        {
            errors.Add(new("closedOn", "fonds.closed-on-future", "A fonds cannot be closed on a future date."));
        }

        if (errors.Count > 0)
        {
            throw new ArchiveValidationException(errors);
        }

        using var _ = await LockAsync(code, cancellationToken).ConfigureAwait(false);
        var current = await _store.GetAsync(code, null, cancellationToken).ConfigureAwait(false)
            ?? throw new ArchiveNotFoundException("fonds", code);
        if (expectedVersion is { } ev && ev != current.Version)
        {
            throw new ArchivePreconditionFailedException("fonds", code, ev, current.Version);
        }

        if (current.Value.Status == FondsStatus.Closed)
        {
            throw new FondsClosedException(code, current.Value.ClosedOn);
        }

        var closed = current.Value with { Status = FondsStatus.Closed, ClosedOn = closedOn, ClosingReason = reason.Trim() };
        return await CommitUpdateAsync(current, closed, expectedVersion, $"Close fonds {code}: {reason.Trim()}", user, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The fonds at its head version, or null.</summary>
    public async ValueTask<Versioned<Fonds>?> GetAsync(string code, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(code);
        var cache = await CacheAsync(cancellationToken).ConfigureAwait(false);
        return cache.TryGetValue(code, out var v) ? v : null;
    }

    /// <summary>The fonds of a creating agency, or null.</summary>
    public async ValueTask<Versioned<Fonds>?> GetByAgencyAsync(string agencyId, CancellationToken cancellationToken = default)
    {
        var cache = await CacheAsync(cancellationToken).ConfigureAwait(false);
        return cache.Values.FirstOrDefault(f => string.Equals(f.Value.AgencyId, agencyId, StringComparison.Ordinal));
    }

    /// <summary>The fonds as it was at <paramref name="version"/>, or null.</summary>
    public ValueTask<Versioned<Fonds>?> GetVersionAsync(string code, int version, CancellationToken cancellationToken = default)
        => _store.GetAsync(code, version, cancellationToken);

    /// <summary>The fonds' version history.</summary>
    /// <exception cref="ArchiveNotFoundException">No such fonds.</exception>
    public async ValueTask<IReadOnlyList<VersionInfo>> GetHistoryAsync(string code, CancellationToken cancellationToken = default)
        => await _store.HistoryAsync(code, cancellationToken).ConfigureAwait(false) ?? throw new ArchiveNotFoundException("fonds", code);

    /// <summary>Every fonds, ordered by code.</summary>
    public async ValueTask<IReadOnlyList<Versioned<Fonds>>> ListAsync(CancellationToken cancellationToken = default)
    {
        var cache = await CacheAsync(cancellationToken).ConfigureAwait(false);
        return cache.Values.OrderBy(f => f.Value.Code, StringComparer.Ordinal).ToList();
    }

    /// <summary>Drops the cache; the next call reloads every fonds from storage.</summary>
    public void InvalidateCache() => _cache.Invalidate();

    /// <summary>
    /// Holds the fonds' lock exclusively (updating or closing the fonds), so that no record file slips into a fonds
    /// while it is being closed.
    /// </summary>
    internal ValueTask<IDisposable> LockAsync(string code, CancellationToken cancellationToken)
        => _fondsLocks.GetOrAdd(code, _ => new FondsLock()).ExclusiveAsync(cancellationToken);

    /// <summary>
    /// Holds the fonds' lock shared (creating a record file in it): many record files may be created at once, none while
    /// the fonds is being closed.
    /// </summary>
    internal ValueTask<IDisposable> LockSharedAsync(string code, CancellationToken cancellationToken)
        => _fondsLocks.GetOrAdd(code, _ => new FondsLock()).SharedAsync(cancellationToken);

    private async ValueTask<WriteResult<Fonds>> CommitUpdateAsync(Versioned<Fonds> current, Fonds next, int? expectedVersion, string message, ArchiveUser user, CancellationToken cancellationToken)
    {
        if (expectedVersion is { } ev && ev != current.Version)
        {
            throw new ArchivePreconditionFailedException("fonds", next.Code, ev, current.Version);
        }

        if (current.Value == next)
        {
            return new WriteResult<Fonds> { Stored = current };
        }

        var cache = await CacheAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var stored = await _store.CommitAsync(next.Code, next, current.Version, message, user, null, null, cancellationToken).ConfigureAwait(false);
            cache[next.Code] = stored;
            return new WriteResult<Fonds> { Stored = stored };
        }
        catch (ArchivePreconditionFailedException)
        {
            if (await _store.GetAsync(next.Code, null, cancellationToken).ConfigureAwait(false) is { } fresh)
            {
                cache[next.Code] = fresh;
            }

            throw;
        }
    }

    private async ValueTask<Fonds> ValidateAsync(FondsInput input, Fonds? current, CancellationToken cancellationToken)
    {
        var errors = new List<ValidationError>();
        var code = input.Code?.Trim() ?? string.Empty;
        if (code.Length == 0)
        {
            errors.Add(new("code", "required", "The fonds code is required."));
        }
        else if (code.Length > CodeMax)
        {
            errors.Add(new("code", "max-length", $"The fonds code must be at most {CodeMax} characters."));
        }
        else if (!CodePattern().IsMatch(code))
        {
            errors.Add(new("code", "fonds.code-format", "The fonds code is letters, digits, '.', '-' and '_' (starting with a letter or digit), e.g. 000.00.00.G09 or P12."));
        }

        var name = input.Name?.Trim();
        Text(errors, "name", name, NameMax, required: true);
        Text(errors, "history", input.History, HistoryMax);
        Text(errors, "classificationScheme", input.ClassificationScheme, NotesMax);
        Text(errors, "notes", input.Notes, NotesMax);
        Text(errors, "language", input.Language, 50, required: true);

        string agencyId = input.AgencyId ?? string.Empty;
        try
        {
            agencyId = AgencyIdentifier.Validate(input.AgencyId, "agencyId");
            if (await _agencies.GetAsync(agencyId, cancellationToken).ConfigureAwait(false) is null)
            {
                errors.Add(new("agencyId", "agency.not-found", $"Agency '{agencyId}' is not registered."));
            }
            else if (current is not null && !string.Equals(current.AgencyId, agencyId, StringComparison.Ordinal))
            {
                errors.Add(new("agencyId", "fonds.agency-immutable", $"The creating agency of a fonds cannot change (it is '{current.AgencyId}')."));
            }
        }
        catch (ArchiveValidationException ex)
        {
            errors.AddRange(ex.Errors);
        }

        string? custodian = null;
        if (!string.IsNullOrWhiteSpace(input.CustodianAgencyId))
        {
            try
            {
                custodian = AgencyIdentifier.Validate(input.CustodianAgencyId, "custodianAgencyId");
                if (await _agencies.GetAsync(custodian, cancellationToken).ConfigureAwait(false) is null)
                {
                    errors.Add(new("custodianAgencyId", "agency.not-found", $"Agency '{custodian}' is not registered."));
                }
            }
            catch (ArchiveValidationException ex)
            {
                errors.AddRange(ex.Errors);
            }
        }

        if (errors.Count > 0)
        {
            throw new ArchiveValidationException(errors);
        }

        return new Fonds
        {
            Code = code,
            Name = name!,
            AgencyId = agencyId,
            CustodianAgencyId = custodian,
            History = Blank(input.History),
            ClassificationScheme = Blank(input.ClassificationScheme),
            Language = input.Language.Trim(),
            Notes = Blank(input.Notes),
            Status = current?.Status ?? FondsStatus.Open,
            ClosedOn = current?.ClosedOn,
            ClosingReason = current?.ClosingReason,
        };
    }

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    private static void Text(List<ValidationError> errors, string field, string? value, int max, bool required = false)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            if (required)
            {
                errors.Add(new(field, "required", $"{field} is required."));
            }
        }
        else if (value.Trim().Length > max)
        {
            errors.Add(new(field, "max-length", $"{field} must be at most {max} characters."));
        }

        TextRules.Check(errors, field, value, multiline: field is "history" or "classificationScheme" or "notes");
    }

    private ValueTask<ConcurrentDictionary<string, Versioned<Fonds>>> CacheAsync(CancellationToken cancellationToken) => _cache.GetAsync(cancellationToken);

    [GeneratedRegex(@"^[0-9A-Za-z][0-9A-Za-z.\-_]*$", RegexOptions.CultureInvariant)]
    private static partial Regex CodePattern();

    /// <summary>An async reader-writer lock: the first shared holder takes the exclusive gate, the last one releases it.</summary>
    private sealed class FondsLock
    {
        private readonly SemaphoreSlim _exclusive = new(1, 1);
        private readonly SemaphoreSlim _counter = new(1, 1);
        private int _shared;

        public async ValueTask<IDisposable> ExclusiveAsync(CancellationToken cancellationToken)
        {
            await _exclusive.WaitAsync(cancellationToken).ConfigureAwait(false);
            return new Releaser(() => _exclusive.Release());
        }

        public async ValueTask<IDisposable> SharedAsync(CancellationToken cancellationToken)
        {
            await _counter.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (_shared == 0)
                {
                    // First shared holder: wait for any exclusive holder, then keep the gate for the whole group.
                    await _exclusive.WaitAsync(cancellationToken).ConfigureAwait(false);
                }

                _shared++;
            }
            finally
            {
                _counter.Release();
            }

            return new Releaser(ReleaseShared);
        }

        private void ReleaseShared()
        {
            // Held only for an increment or a decrement (or by a first holder waiting for an exclusive holder, which
            // cannot happen while shared holders exist).
            _counter.Wait();
            try
            {
                if (--_shared == 0)
                {
                    _exclusive.Release();
                }
            }
            finally
            {
                _counter.Release();
            }
        }
    }

    private sealed class Releaser(Action release) : IDisposable
    {
        private int _done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0)
            {
                release();
            }
        }
    }
}

using System.Collections.Concurrent;
using Archive.Packages;

namespace Archive.Records;

/// <summary>
/// Agencies (cơ quan, tổ chức): one versioned package each in <c>ocfl/agencies</c>, with an in-memory cache loaded
/// on first use (agencies number in the thousands). The cache assumes this engine instance is the only writer; a
/// write that loses a race to another process is still refused (optimistic concurrency on the package).
/// </summary>
public sealed class AgencyRegistry
{
    /// <summary>Longest agency name (Decree 30 <c>OrganName</c>: 200).</summary>
    public const int NameMax = 200;

    private readonly PackageEntityStore<Agency> _store;
    private readonly RegistryCache<Agency> _cache;

    /// <summary>Creates the registry.</summary>
    public AgencyRegistry(ArchiveStorage storage)
    {
        ArgumentNullException.ThrowIfNull(storage);
        _store = new PackageEntityStore<Agency>(storage.Agencies, "agency", "metadata/agency.json");
        _cache = new RegistryCache<Agency>(_store, a => a.Id, storage.RegistryCacheMaxAge);
    }

    /// <summary>Registers a new agency.</summary>
    /// <exception cref="ArchiveValidationException">A rule is broken (identifier format, name, unknown parent).</exception>
    /// <exception cref="ArchiveConflictException">An agency with this identifier exists (<see cref="ConflictRules.AlreadyExists"/>).</exception>
    public async ValueTask<WriteResult<Agency>> CreateAsync(Agency agency, ArchiveUser user, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(agency);
        ArgumentNullException.ThrowIfNull(user);
        user.Validate();
        var cache = await CacheAsync(cancellationToken).ConfigureAwait(false);
        var normalized = await ValidateAsync(agency, cancellationToken).ConfigureAwait(false);
        if (cache.ContainsKey(normalized.Id))
        {
            throw new ArchiveConflictException("agency", normalized.Id, ConflictRules.AlreadyExists, $"Agency '{normalized.Id}' already exists.");
        }

        var stored = await _store.CommitAsync(normalized.Id, normalized, 0, $"Register agency {normalized.Id}", user, null, null, cancellationToken).ConfigureAwait(false);
        cache[normalized.Id] = stored;
        return new WriteResult<Agency> { Stored = stored };
    }

    /// <summary>Replaces an agency's description (name, parent, status) as a new version.</summary>
    /// <param name="agency">The new state; <see cref="Agency.Id"/> names the agency.</param>
    /// <param name="expectedVersion">The version the change is based on; null to skip the check.</param>
    /// <param name="user">Who.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <exception cref="ArchiveNotFoundException">No such agency.</exception>
    /// <exception cref="ArchivePreconditionFailedException">The agency changed since <paramref name="expectedVersion"/>.</exception>
    public async ValueTask<WriteResult<Agency>> UpdateAsync(Agency agency, int? expectedVersion, ArchiveUser user, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(agency);
        ArgumentNullException.ThrowIfNull(user);
        user.Validate();
        var cache = await CacheAsync(cancellationToken).ConfigureAwait(false);
        var normalized = await ValidateAsync(agency, cancellationToken).ConfigureAwait(false);
        var current = await _store.GetAsync(normalized.Id, null, cancellationToken).ConfigureAwait(false)
            ?? throw new ArchiveNotFoundException("agency", normalized.Id);
        if (expectedVersion is { } ev && ev != current.Version)
        {
            throw new ArchivePreconditionFailedException("agency", normalized.Id, ev, current.Version);
        }

        if (current.Value == normalized)
        {
            return new WriteResult<Agency> { Stored = current };
        }

        try
        {
            var stored = await _store.CommitAsync(normalized.Id, normalized, current.Version, $"Update agency {normalized.Id}", user, null, null, cancellationToken).ConfigureAwait(false);
            cache[normalized.Id] = stored;
            return new WriteResult<Agency> { Stored = stored };
        }
        catch (ArchivePreconditionFailedException)
        {
            await RefreshAsync(normalized.Id, cancellationToken).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The agency at its head version, or null.</summary>
    public async ValueTask<Versioned<Agency>?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        var cache = await CacheAsync(cancellationToken).ConfigureAwait(false);
        return cache.TryGetValue(id.Trim(), out var v) ? v : null;
    }

    /// <summary>The agency as it was at <paramref name="version"/>, or null.</summary>
    public ValueTask<Versioned<Agency>?> GetVersionAsync(string id, int version, CancellationToken cancellationToken = default)
        => _store.GetAsync(id, version, cancellationToken);

    /// <summary>The agency's version history.</summary>
    /// <exception cref="ArchiveNotFoundException">No such agency.</exception>
    public async ValueTask<IReadOnlyList<VersionInfo>> GetHistoryAsync(string id, CancellationToken cancellationToken = default)
        => await _store.HistoryAsync(id, cancellationToken).ConfigureAwait(false) ?? throw new ArchiveNotFoundException("agency", id);

    /// <summary>Every agency, ordered by identifier.</summary>
    public async ValueTask<IReadOnlyList<Versioned<Agency>>> ListAsync(CancellationToken cancellationToken = default)
    {
        var cache = await CacheAsync(cancellationToken).ConfigureAwait(false);
        return cache.Values.OrderBy(a => a.Value.Id, StringComparer.Ordinal).ToList();
    }

    /// <summary>Drops the cache; the next call reloads every agency from storage.</summary>
    public void InvalidateCache() => _cache.Invalidate();

    private async ValueTask RefreshAsync(string id, CancellationToken cancellationToken)
    {
        var cache = await CacheAsync(cancellationToken).ConfigureAwait(false);
        var fresh = await _store.GetAsync(id, null, cancellationToken).ConfigureAwait(false);
        if (fresh is not null)
        {
            cache[id] = fresh;
        }
    }

    private async ValueTask<Agency> ValidateAsync(Agency agency, CancellationToken cancellationToken)
    {
        var errors = new List<ValidationError>();
        string id = agency.Id;
        try
        {
            id = AgencyIdentifier.Validate(agency.Id, "id");
        }
        catch (ArchiveValidationException ex)
        {
            errors.AddRange(ex.Errors);
        }

        var name = agency.Name?.Trim();
        if (string.IsNullOrEmpty(name))
        {
            errors.Add(new("name", "required", "The agency name is required."));
        }
        else if (name.Length > NameMax)
        {
            errors.Add(new("name", "max-length", $"The agency name must be at most {NameMax} characters."));
        }
        else
        {
            TextRules.Check(errors, "name", name);
        }

        if (!Enum.IsDefined(agency.Status))
        {
            errors.Add(new("status", "enum", $"'{agency.Status}' is not an agency status: one of {string.Join(", ", Enum.GetNames<AgencyStatus>())}."));
        }

        string? parent = null;
        if (!string.IsNullOrWhiteSpace(agency.ParentId))
        {
            try
            {
                parent = AgencyIdentifier.Validate(agency.ParentId, "parentId");
                var cache = await CacheAsync(cancellationToken).ConfigureAwait(false);
                if (string.Equals(parent, id, StringComparison.Ordinal))
                {
                    errors.Add(new("parentId", "agency.parent-self", "An agency cannot be its own parent."));
                }
                else if (!cache.ContainsKey(parent))
                {
                    errors.Add(new("parentId", "agency.not-found", $"The parent agency '{parent}' is not registered."));
                }
                else
                {
                    // Walk up: the new parent must not be a descendant of this agency.
                    var seen = new HashSet<string>(StringComparer.Ordinal) { id };
                    for (var p = parent; p is not null && cache.TryGetValue(p, out var pa); p = pa.Value.ParentId)
                    {
                        if (!seen.Add(p))
                        {
                            errors.Add(new("parentId", "agency.parent-cycle", $"Making '{parent}' the parent would create a cycle."));
                            break;
                        }
                    }
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

        return agency with { Id = id, Name = name!, ParentId = parent };
    }

    private ValueTask<ConcurrentDictionary<string, Versioned<Agency>>> CacheAsync(CancellationToken cancellationToken) => _cache.GetAsync(cancellationToken);

    internal IPackageStore Packages => _store.Packages;
}

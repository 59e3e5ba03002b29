using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Archive.Records;
using Archive.Security;

namespace Archive.Locations;

/// <summary>What a caller gives to register a storage room (kho lưu trữ).</summary>
public sealed record StorageRoomInput
{
    /// <summary>Mã kho, unique in the archive (letters, digits, '.', '-', '_'; starting with a letter or digit).</summary>
    public required string Code { get; init; }

    /// <summary>Tên kho.</summary>
    public required string Name { get; init; }

    /// <summary>The agency whose storage it is (registered).</summary>
    public required string AgencyId { get; init; }

    /// <summary>Địa chỉ.</summary>
    public string? Address { get; init; }

    /// <summary>Mô tả.</summary>
    public string? Description { get; init; }
}

/// <summary>
/// Storage rooms (kho lưu trữ), one versioned package each in <c>ocfl/rooms</c> (id = room code), cached in memory.
/// A room belongs to one agency: only a user of that agency (or an administrator) registers it, and only record files
/// of fonds that agency holds are placed in it (<see cref="LocationService"/>).
/// </summary>
public sealed partial class StorageRoomRegistry
{
    /// <summary>Storage root of the room packages.</summary>
    public const string RoomsRoot = "ocfl/rooms";

    /// <summary>Longest room code.</summary>
    public const int CodeMax = 50;

    /// <summary>Longest room name.</summary>
    public const int NameMax = 200;

    /// <summary>Longest address.</summary>
    public const int AddressMax = 500;

    /// <summary>Longest description.</summary>
    public const int DescriptionMax = 2000;

    private readonly PackageEntityStore<StorageRoom> _store;
    private readonly RegistryCache<StorageRoom> _cache;
    private readonly AgencyRegistry _agencies;
    private readonly IArchiveAccessPolicy? _policy;
    private readonly SemaphoreSlim _createLock = new(1, 1);

    /// <summary>Creates the registry; <paramref name="policy"/> decides for a caller (null: no caller may be given).</summary>
    public StorageRoomRegistry(ArchiveStorage storage, AgencyRegistry agencies, IArchiveAccessPolicy? policy = null)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(agencies);
        _store = new PackageEntityStore<StorageRoom>(storage.Open(RoomsRoot), "storage-room", "metadata/room.json");
        _cache = new RegistryCache<StorageRoom>(_store, r => r.Code, storage.RegistryCacheMaxAge);
        _agencies = agencies;
        _policy = policy;
    }

    /// <summary>
    /// Registers a storage room of an agency. With a <paramref name="caller"/>, only a user of that agency or an
    /// administrator may (offline, the operator: anyone).
    /// </summary>
    /// <exception cref="ArchiveValidationException">A rule is broken (named with its field); nothing is stored.</exception>
    /// <exception cref="ArchiveAccessDeniedException">The caller is not of the room's agency (rule <c>scope.agency</c>).</exception>
    /// <exception cref="ArchiveConflictException">The code is taken (<see cref="ConflictRules.AlreadyExists"/>).</exception>
    public async ValueTask<WriteResult<StorageRoom>> CreateAsync(StorageRoomInput input, ArchiveCaller? caller, ArchiveUser user, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(user);
        user.Validate();
        var room = await ValidateAsync(input, cancellationToken).ConfigureAwait(false);
        if (caller is not null)
        {
            var policy = _policy ?? throw new InvalidOperationException("StorageRoomRegistry was created without an IArchiveAccessPolicy, so it cannot decide for a caller.");
            await policy.RequireAgencyAsync(caller, room.AgencyId, "storage-room", cancellationToken).ConfigureAwait(false);
        }

        var cache = await _cache.GetAsync(cancellationToken).ConfigureAwait(false);
        await _createLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (cache.Keys.FirstOrDefault(k => string.Equals(k, room.Code, StringComparison.OrdinalIgnoreCase)) is { } taken)
            {
                throw new ArchiveConflictException("storage-room", room.Code, ConflictRules.AlreadyExists, $"Storage room '{taken}' already exists; room codes that differ only in letter case cannot coexist.");
            }

            var stored = await _store.CommitAsync(room.Code, room, 0, $"Register storage room {room.Code} ({room.Name}) of agency {room.AgencyId}", user, null, null, cancellationToken).ConfigureAwait(false);
            cache[room.Code] = stored;
            return new WriteResult<StorageRoom> { Stored = stored };
        }
        finally
        {
            _createLock.Release();
        }
    }

    /// <summary>The room at its head version, or null.</summary>
    public async ValueTask<Versioned<StorageRoom>?> GetAsync(string code, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(code);
        var cache = await _cache.GetAsync(cancellationToken).ConfigureAwait(false);
        return cache.TryGetValue(code.Trim(), out var v) ? v : null;
    }

    /// <summary>Every room, or those of one agency, ordered by code.</summary>
    public async ValueTask<IReadOnlyList<Versioned<StorageRoom>>> ListAsync(string? agencyId = null, CancellationToken cancellationToken = default)
    {
        var cache = await _cache.GetAsync(cancellationToken).ConfigureAwait(false);
        return cache.Values
            .Where(r => agencyId is null || string.Equals(r.Value.AgencyId, agencyId, StringComparison.Ordinal))
            .OrderBy(r => r.Value.Code, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Drops the cache; the next call reloads every room from storage.</summary>
    public void InvalidateCache() => _cache.Invalidate();

    private async ValueTask<StorageRoom> ValidateAsync(StorageRoomInput input, CancellationToken cancellationToken)
    {
        var errors = new List<ValidationError>();
        var code = input.Code?.Trim() ?? string.Empty;
        if (code.Length == 0)
        {
            errors.Add(new("code", "required", "The storage room code is required."));
        }
        else if (code.Length > CodeMax)
        {
            errors.Add(new("code", "max-length", $"The storage room code must be at most {CodeMax} characters."));
        }
        else if (!CodePattern().IsMatch(code))
        {
            errors.Add(new("code", "storage-room.code-format", "The storage room code is letters, digits, '.', '-' and '_' (starting with a letter or digit), e.g. H49-K01."));
        }

        Text(errors, "name", input.Name, NameMax, required: true);
        Text(errors, "address", input.Address, AddressMax);
        Text(errors, "description", input.Description, DescriptionMax, multiline: true);
        var agencyId = input.AgencyId ?? string.Empty;
        try
        {
            agencyId = AgencyIdentifier.Validate(input.AgencyId, "agencyId");
            if (await _agencies.GetAsync(agencyId, cancellationToken).ConfigureAwait(false) is null)
            {
                errors.Add(new("agencyId", "agency.not-found", $"Agency '{agencyId}' is not registered."));
            }
        }
        catch (ArchiveValidationException ex)
        {
            errors.AddRange(ex.Errors);
        }

        if (errors.Count > 0)
        {
            throw new ArchiveValidationException(errors);
        }

        return new StorageRoom
        {
            Code = code,
            Name = input.Name.Trim(),
            AgencyId = agencyId,
            Address = Blank(input.Address),
            Description = Blank(input.Description),
        };
    }

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    private static void Text(List<ValidationError> errors, string field, string? value, int max, bool required = false, bool multiline = false)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            if (required)
            {
                errors.Add(new(field, "required", $"{field} is required."));
            }

            return;
        }

        if (value.Trim().Length > max)
        {
            errors.Add(new(field, "max-length", $"{field} must be at most {max} characters."));
        }

        TextRules.Check(errors, field, value, multiline);
    }

    [GeneratedRegex(@"^[0-9A-Za-z][0-9A-Za-z.\-_]*$", RegexOptions.CultureInvariant)]
    private static partial Regex CodePattern();
}

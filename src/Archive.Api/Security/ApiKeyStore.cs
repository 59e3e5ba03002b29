using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Archive.Audit;
using Archive.Records;
using Archive.Security;
using Archive.Storage;
using Microsoft.Extensions.Options;

namespace Archive.Api.Security;

/// <summary>An API key as stored: its hash and what it grants, never the key itself.</summary>
public sealed record ApiKeyRecord
{
    /// <summary>Short identifier (the first 16 hex digits of the hash of the key's first secret; kept by rotations), used to list, rotate and revoke.</summary>
    public required string Id { get; init; }

    /// <summary>Name (recorded as the user of changes and in the audit trail; unique among keys created since names are checked).</summary>
    public required string Name { get; init; }

    /// <summary>Hex SHA-256 of the UTF-8 key.</summary>
    public required string KeyHash { get; init; }

    /// <summary>Roles granted.</summary>
    public IReadOnlyList<string> Roles { get; init; } = [];

    /// <summary>Agencies the key belongs to.</summary>
    public IReadOnlyList<string> Agencies { get; init; } = [];

    /// <summary><c>secret</c> when the key has secret clearance.</summary>
    public string? Clearance { get; init; }

    /// <summary>When it was created (for a rotated key: when this secret was issued).</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>Who created it.</summary>
    public string? CreatedBy { get; init; }

    /// <summary>When it stops authenticating (null: never).</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>When a rotation replaced this secret by a new one (it authenticates until <see cref="ExpiresAt"/>, the end of the overlap).</summary>
    public DateTimeOffset? ReplacedAt { get; init; }

    /// <summary>On the current secret after a rotation: until when the previous secret still authenticates (null: not at all).</summary>
    public DateTimeOffset? PreviousKeyValidUntil { get; init; }

    /// <summary>When it was revoked (null while valid).</summary>
    public DateTimeOffset? RevokedAt { get; init; }

    /// <summary>Who revoked it.</summary>
    public string? RevokedBy { get; init; }

    /// <summary><c>store</c> (created through the API or CLI) or <c>configuration</c>.</summary>
    public string Source { get; init; } = "store";

    /// <summary>The principal id the key authenticates as (<c>apikey:</c> + <see cref="Id"/>), recorded in the audit trail and the version history.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string PrincipalId => "apikey:" + Id;
}

/// <summary>What a new API key grants.</summary>
/// <param name="Name">Name of the key: 1..100 letters (Vietnamese included), digits, spaces, <c>. - _</c>; unique (case-insensitive).</param>
/// <param name="Roles">At least one of <see cref="ArchiveRoles.All"/>.</param>
/// <param name="Agencies">Agency identifiers, each registered (may be empty for roles that read across).</param>
/// <param name="Clearance"><c>secret</c> or null.</param>
/// <param name="ExpiresAt">When the key stops working (future); null: <see cref="ArchiveAuthOptions.ApiKeyLifetime"/> from now, or never.</param>
public sealed record ApiKeySpec(string Name, IReadOnlyList<string> Roles, IReadOnlyList<string>? Agencies = null, string? Clearance = null, DateTimeOffset? ExpiresAt = null)
{
    /// <summary>
    /// Accept agencies not (yet) in the registry — for an operator preparing keys before the agencies are registered
    /// (<c>apikey create --allow-unregistered-agencies</c>); the REST endpoint never sets it. Default false.
    /// </summary>
    public bool AllowUnregisteredAgencies { get; init; }
}

/// <summary>What an API key lookup found.</summary>
public enum ApiKeyStatus
{
    /// <summary>A valid key.</summary>
    Valid = 0,

    /// <summary>No key has this secret.</summary>
    Unknown = 1,

    /// <summary>The key was revoked.</summary>
    Revoked = 2,

    /// <summary>The key expired.</summary>
    Expired = 3,

    /// <summary>A rotation replaced this secret and its overlap ended.</summary>
    Replaced = 4,
}

/// <summary>The outcome of <see cref="ApiKeyStore.CheckAsync"/>: the status and, unless unknown, the key's record.</summary>
/// <param name="Status">What was found.</param>
/// <param name="Record">The record (null when <see cref="ApiKeyStatus.Unknown"/>).</param>
public sealed record ApiKeyCheck(ApiKeyStatus Status, ApiKeyRecord? Record);

/// <summary>
/// API keys stored hashed (SHA-256) in the archive's object store under <see cref="Prefix"/>, plus those given by
/// configuration (<see cref="ArchiveAuthOptions.ApiKeys"/>). The key itself is returned once, at creation or rotation.
/// Names are checked (<c>apikey.name-format</c>) and unique (<c>apikey.name-taken</c>, case-insensitive after NFC);
/// agencies must be registered (<c>apikey.agency-unknown</c>). Keys may expire (<see cref="ApiKeyRecord.ExpiresAt"/>)
/// and be rotated (a new secret for the same id, name and grants; the old one works for an overlap). Revoking keeps
/// the record (with <see cref="ApiKeyRecord.RevokedAt"/>) so the audit trail can still name it. Creation, rotation and
/// revocation are appended to the audit trail (<c>apikey.create</c>, <c>apikey.rotate</c>, <c>apikey.revoke</c>).
/// </summary>
public sealed class ApiKeyStore
{
    /// <summary>Object key prefix of stored API keys.</summary>
    public const string Prefix = "security/api-keys/";

    /// <summary>Object key prefix of the name reservations (one create-only object per normalised name).</summary>
    public const string NamePrefix = "security/api-key-names/";

    /// <summary>Longest overlap of a rotation.</summary>
    public static readonly TimeSpan MaxOverlap = TimeSpan.FromDays(7);

    private const int MaxNameLength = 100;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    private readonly IObjectStore _objects;
    private readonly IOptionsMonitor<ArchiveAuthOptions> _options;
    private readonly TimeProvider _time;
    private readonly AgencyRegistry? _agencies;
    private readonly IAuditTrail? _audit;
    private readonly ConcurrentDictionary<string, (ApiKeyRecord? Record, DateTimeOffset Expires)> _cache = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _knownGate = new(1, 1);
    private volatile KnownHashes? _known;

    /// <summary>Creates the store over the archive's object store.</summary>
    /// <param name="objects">The object store.</param>
    /// <param name="options">Authentication options (configured keys, cache duration, default lifetime).</param>
    /// <param name="time">Clock (optional).</param>
    /// <param name="agencies">The agency registry, to refuse keys bound to an unknown agency (optional: without it agencies are only checked for form).</param>
    /// <param name="audit">The audit trail key changes are appended to (optional).</param>
    public ApiKeyStore(IObjectStore objects, IOptionsMonitor<ArchiveAuthOptions> options, TimeProvider? time = null, AgencyRegistry? agencies = null, IAuditTrail? audit = null)
    {
        ArgumentNullException.ThrowIfNull(objects);
        ArgumentNullException.ThrowIfNull(options);
        _objects = objects;
        _options = options;
        _time = time ?? TimeProvider.System;
        _agencies = agencies;
        _audit = audit;
    }

    /// <summary>Lower-case hex SHA-256 of the UTF-8 <paramref name="key"/>.</summary>
    public static string Hash(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
    }

    /// <summary>A new random key: <c>ak_</c> + 43 base64url characters (256 bits).</summary>
    public static string NewKey()
        => "ak_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>
    /// The name a key would be stored under: trimmed and NFC-normalised; null when it breaks <c>apikey.name-format</c>
    /// (1..100 characters; ASCII and Vietnamese/Latin letters, ASCII digits, single spaces, <c>. - _</c>; so no
    /// control, bidirectional or zero-width character and no markup).
    /// </summary>
    public static string? NormalizeName(string? name)
    {
        if (name is null)
        {
            return null;
        }

        var text = name.Trim();
        try
        {
            text = text.Normalize(NormalizationForm.FormC);
        }
        catch (ArgumentException)
        {
            return null; // unpaired surrogates
        }

        if (text.Length is < 1 or > MaxNameLength)
        {
            return null;
        }

        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var ok = c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '.' or '-' or '_'
                || (c == ' ' && text[i - 1] != ' ')
                || (IsLatinLetterBlock(c) && char.IsLetter(c));
            if (!ok)
            {
                return null;
            }
        }

        return text;
    }

    /// <summary>The names shared by more than one key (case-insensitive, after NFC) — possible among keys stored before names were checked, or given by configuration.</summary>
    public static IReadOnlySet<string> DuplicateNames(IEnumerable<ApiKeyRecord> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return keys.GroupBy(k => NameKey(k.Name), StringComparer.Ordinal)
            .Where(g => g.Select(k => k.Id).Distinct(StringComparer.OrdinalIgnoreCase).Count() > 1)
            .SelectMany(g => g.Select(k => k.Name))
            .ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Creates and stores a key; returns the key (show it once) and its record.</summary>
    /// <param name="spec">What it grants.</param>
    /// <param name="by">Who creates it (recorded as its creator and in the audit trail).</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <exception cref="ArchiveValidationException">Name, roles, agencies, clearance or expiry are invalid, or the name is taken; nothing is stored.</exception>
    public async ValueTask<(string Key, ApiKeyRecord Record)> CreateAsync(ApiKeySpec spec, ArchiveCaller by, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(by);
        var name = NormalizeName(spec.Name)
            ?? throw new ArchiveValidationException("name", "apikey.name-format", $"An API key name is 1 to {MaxNameLength} characters: letters (Vietnamese included), digits, single spaces and . - _ (no control or invisible characters, no markup).");

        var roles = (spec.Roles ?? []).Select(r => r?.Trim().ToLowerInvariant() ?? string.Empty).Where(r => r.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        if (roles.Count == 0 || roles.FirstOrDefault(r => !ArchiveRoles.IsKnown(r)) is { } unknown)
        {
            throw new ArchiveValidationException("roles", "apikey.roles", roles.Count == 0
                ? $"Give at least one role: {string.Join(", ", ArchiveRoles.All)}."
                : $"'{roles.First(r => !ArchiveRoles.IsKnown(r))}' is not a role; use {string.Join(", ", ArchiveRoles.All)}.");
        }

        var agencies = (spec.Agencies ?? []).Select(a => a?.Trim() ?? string.Empty).Where(a => a.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        foreach (var agency in agencies)
        {
            _ = Records.AgencyIdentifier.Validate(agency, "agencies");
        }

        var clearance = string.IsNullOrWhiteSpace(spec.Clearance) ? null : spec.Clearance.Trim().ToLowerInvariant();
        if (clearance is not null and not ArchiveClaims.SecretClearance)
        {
            throw new ArchiveValidationException("clearance", "apikey.clearance", "clearance is 'secret' or empty.");
        }

        var now = _time.GetUtcNow();
        var expiresAt = ExpiryOf(spec.ExpiresAt, now);
        if (!spec.AllowUnregisteredAgencies)
        {
            await CheckAgenciesAsync(agencies, cancellationToken).ConfigureAwait(false);
        }

        var all = await LoadAllAsync(cancellationToken).ConfigureAwait(false);
        if (all.FirstOrDefault(k => string.Equals(NameKey(k.Name), NameKey(name), StringComparison.Ordinal)) is { } holder)
        {
            throw NameTaken(name, holder.Id);
        }

        // Reserve the name atomically (two concurrent creations: one wins); reservations are never released, so a
        // name keeps naming one key in the history even after that key was revoked.
        try
        {
            await _objects.PutBytesAsync(NamePrefix + Hash(NameKey(name)), Encoding.UTF8.GetBytes(name), new PutObjectOptions { CreateOnly = true, ContentType = "text/plain; charset=utf-8" }, cancellationToken).ConfigureAwait(false);
        }
        catch (ObjectAlreadyExistsException)
        {
            throw NameTaken(name, null);
        }

        var key = NewKey();
        var hash = Hash(key);
        var record = new ApiKeyRecord
        {
            Id = hash[..16],
            Name = name,
            KeyHash = hash,
            Roles = roles,
            Agencies = agencies,
            Clearance = clearance,
            CreatedAt = now,
            CreatedBy = by.User.Name,
            ExpiresAt = expiresAt,
        };
        await SaveAsync(record, cancellationToken).ConfigureAwait(false);
        await AuditAsync(by, "apikey.create", record, $"Created API key '{record.Name}' ({record.PrincipalId}), roles {string.Join(',', roles)}" + Until(expiresAt), cancellationToken).ConfigureAwait(false);
        return (key, record);
    }

    /// <summary>
    /// Issues a new secret for the stored key <paramref name="id"/> (same id, name, roles, agencies, clearance); the
    /// previous secret keeps working for <paramref name="overlap"/> (zero: stops at once). Null when no stored key has the id.
    /// </summary>
    /// <param name="id">The key's id.</param>
    /// <param name="overlap">How long the previous secret stays valid (0 to <see cref="MaxOverlap"/>).</param>
    /// <param name="expiresAt">When the new secret expires; null: <see cref="ArchiveAuthOptions.ApiKeyLifetime"/> from now, or never.</param>
    /// <param name="by">Who rotates it.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <exception cref="ArchiveValidationException">Overlap or expiry out of range, or the key is revoked; nothing changed.</exception>
    public async ValueTask<(string Key, ApiKeyRecord Record)?> RotateAsync(string id, TimeSpan overlap, DateTimeOffset? expiresAt, ArchiveCaller by, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(by);
        if (overlap < TimeSpan.Zero || overlap > MaxOverlap)
        {
            throw new ArchiveValidationException("overlap", "apikey.overlap", $"The overlap of the old secret must be 0 to {MaxOverlap.TotalDays:0} days.");
        }

        var now = _time.GetUtcNow();
        var expiry = ExpiryOf(expiresAt, now);
        var records = (await LoadAllAsync(cancellationToken).ConfigureAwait(false)).Where(r => r.Source == "store" && string.Equals(r.Id, id, StringComparison.OrdinalIgnoreCase)).ToList();
        var current = records.FirstOrDefault(r => r.ReplacedAt is null);
        if (current is null)
        {
            return null;
        }

        if (current.RevokedAt is not null)
        {
            throw new ArchiveValidationException("id", "apikey.revoked", $"API key '{current.Name}' ({current.Id}) is revoked; create a new key.");
        }

        var key = NewKey();
        var hash = Hash(key);
        var oldUntil = now + overlap;
        if (current.ExpiresAt is { } e && e < oldUntil)
        {
            oldUntil = e;
        }

        var next = current with
        {
            KeyHash = hash,
            CreatedAt = now,
            CreatedBy = by.User.Name,
            ExpiresAt = expiry,
            PreviousKeyValidUntil = oldUntil > now ? oldUntil : null,
        };

        // The new secret first: a failure in between leaves the old one working, never neither.
        await SaveAsync(next, cancellationToken).ConfigureAwait(false);
        await SaveAsync(current with { ReplacedAt = now, ExpiresAt = oldUntil }, cancellationToken).ConfigureAwait(false);
        await AuditAsync(by, "apikey.rotate", next, $"Rotated API key '{next.Name}' ({next.PrincipalId}); previous secret valid until {oldUntil:O}" + Until(expiry), cancellationToken).ConfigureAwait(false);
        return (key, next);
    }

    /// <summary>What the key with this plaintext is: valid, unknown, revoked, expired or replaced (a rotation's overlap ended).</summary>
    public async ValueTask<ApiKeyCheck> CheckAsync(string key, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(key) || key.Length > 512)
        {
            return new ApiKeyCheck(ApiKeyStatus.Unknown, null);
        }

        var hash = Hash(key);
        var now = _time.GetUtcNow();
        var record = FromConfiguration().FirstOrDefault(k => FixedTimeEquals(k.KeyHash, hash));
        if (record is null)
        {
            if (!_cache.TryGetValue(hash, out var cached) || cached.Expires <= now)
            {
                cached = (await LoadAsync(hash, cancellationToken).ConfigureAwait(false), now + _options.CurrentValue.ApiKeyCacheDuration);
                if (_cache.Count > 10_000)
                {
                    _cache.Clear();
                }

                _cache[hash] = cached;
            }

            record = cached.Record;
        }

        var status = record switch
        {
            null => ApiKeyStatus.Unknown,
            { RevokedAt: not null } => ApiKeyStatus.Revoked,
            { ExpiresAt: { } until } when until <= now => record.ReplacedAt is null ? ApiKeyStatus.Expired : ApiKeyStatus.Replaced,
            _ => ApiKeyStatus.Valid,
        };
        return new ApiKeyCheck(status, record);
    }

    /// <summary>The valid (not revoked, not expired) key with this plaintext, from configuration or the store; null otherwise.</summary>
    public async ValueTask<ApiKeyRecord?> FindAsync(string key, CancellationToken cancellationToken = default)
        => await CheckAsync(key, cancellationToken).ConfigureAwait(false) is { Status: ApiKeyStatus.Valid, Record: { } record } ? record : null;

    /// <summary>
    /// Whether some key (configured or stored, in any state) has this plaintext, answered from memory — the
    /// configured keys and the stored keys' hashes, listed at most once per <see cref="ArchiveAuthOptions.ApiKeyCacheDuration"/> —
    /// never by reading a key record. Lets a throttled client address still use its valid key without letting a
    /// guesser make the store read a record per guess.
    /// </summary>
    public async ValueTask<bool> IsKnownAsync(string key, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(key) || key.Length > 512)
        {
            return false;
        }

        var hash = Hash(key);
        if (FromConfiguration().Any(k => FixedTimeEquals(k.KeyHash, hash)))
        {
            return true;
        }

        var now = _time.GetUtcNow();
        var known = _known;
        if (known is null || known.Expires <= now)
        {
            await _knownGate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                known = _known;
                if (known is null || known.Expires <= now)
                {
                    var hashes = new ConcurrentDictionary<string, byte>(StringComparer.Ordinal);
                    await foreach (var info in _objects.ListAsync(Prefix, cancellationToken: cancellationToken).ConfigureAwait(false))
                    {
                        var file = info.Key[Prefix.Length..];
                        if (file.EndsWith(".json", StringComparison.Ordinal))
                        {
                            hashes.TryAdd(file[..^5], 0);
                        }
                    }

                    _known = known = new KnownHashes(hashes, now + _options.CurrentValue.ApiKeyCacheDuration);
                }
            }
            finally
            {
                _knownGate.Release();
            }
        }

        return known.Hashes.ContainsKey(hash);
    }

    /// <summary>Every key (stored and configured), revoked and expired ones included, without plaintext; a rotated key once (its current secret).</summary>
    public async ValueTask<IReadOnlyList<ApiKeyRecord>> ListAsync(CancellationToken cancellationToken = default)
        => (await LoadAllAsync(cancellationToken).ConfigureAwait(false)).Where(r => r.ReplacedAt is null).ToList();

    /// <summary>Revokes a stored key by id (every secret of it, a rotation's previous one included); null when no stored key has the id (configured keys are revoked by removing them from configuration).</summary>
    /// <param name="id">The key's id.</param>
    /// <param name="by">Who revokes it.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    public async ValueTask<ApiKeyRecord?> RevokeAsync(string id, ArchiveCaller by, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(by);
        var records = (await LoadAllAsync(cancellationToken).ConfigureAwait(false)).Where(r => r.Source == "store" && string.Equals(r.Id, id, StringComparison.OrdinalIgnoreCase)).ToList();
        var current = records.FirstOrDefault(r => r.ReplacedAt is null);
        if (current is null)
        {
            return null;
        }

        if (current.RevokedAt is not null)
        {
            return current;
        }

        var now = _time.GetUtcNow();
        ApiKeyRecord? revoked = null;
        foreach (var record in records.Where(r => r.RevokedAt is null).OrderBy(r => r.ReplacedAt is null))
        {
            var r = record with { RevokedAt = now, RevokedBy = by.User.Name };
            await SaveAsync(r, cancellationToken).ConfigureAwait(false);
            revoked = r.ReplacedAt is null ? r : revoked;
        }

        await AuditAsync(by, "apikey.revoke", revoked!, $"Revoked API key '{revoked!.Name}' ({revoked.PrincipalId})", cancellationToken).ConfigureAwait(false);
        return revoked;
    }

    private static string NameKey(string name)
    {
        string text;
        try
        {
            text = name.Trim().Normalize(NormalizationForm.FormC);
        }
        catch (ArgumentException)
        {
            text = name.Trim();
        }

        return text.ToUpperInvariant();
    }

    private static bool IsLatinLetterBlock(char c)
        => c is (>= '\u00C0' and <= '\u024F') or (>= '\u1E00' and <= '\u1EFF');

    private static ArchiveValidationException NameTaken(string name, string? holderId)
        => new("name", "apikey.name-taken", $"The API key name '{name}' is taken" + (holderId is null ? string.Empty : $" (key {holderId})") + "; choose another (to renew the same user's key, rotate it).");

    private static string Until(DateTimeOffset? expiresAt)
        => expiresAt is { } e ? $"; expires {e:O}" : string.Empty;

    private DateTimeOffset? ExpiryOf(DateTimeOffset? requested, DateTimeOffset now)
    {
        if (requested is { } at)
        {
            return at > now
                ? at
                : throw new ArchiveValidationException("expiresAt", "apikey.expires-past", "expiresAt must be in the future.");
        }

        return _options.CurrentValue.ApiKeyLifetime is { } lifetime ? now + lifetime : null;
    }

    private async ValueTask CheckAgenciesAsync(List<string> agencies, CancellationToken cancellationToken)
    {
        if (_agencies is null)
        {
            return;
        }

        var errors = new List<ValidationError>();
        foreach (var agency in agencies)
        {
            if (await _agencies.GetAsync(agency, cancellationToken).ConfigureAwait(false) is null)
            {
                errors.Add(new ValidationError("agencies", "apikey.agency-unknown", $"Agency '{agency}' is not registered; register the agency before issuing keys bound to it."));
            }
        }

        if (errors.Count > 0)
        {
            throw new ArchiveValidationException(errors);
        }
    }

    private async ValueTask AuditAsync(ArchiveCaller by, string action, ApiKeyRecord record, string detail, CancellationToken cancellationToken)
    {
        if (_audit is null)
        {
            return;
        }

        await _audit.AppendAsync(by.ToAuditEvent(action) with
        {
            ObjectType = "api-key",
            ObjectId = record.Id,
            Detail = detail,
        }, CancellationToken.None).ConfigureAwait(false);
    }

    private async ValueTask<List<ApiKeyRecord>> LoadAllAsync(CancellationToken cancellationToken)
    {
        var list = new List<ApiKeyRecord>(FromConfiguration());
        await foreach (var info in _objects.ListAsync(Prefix, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            var name = info.Key[Prefix.Length..];
            if (name.EndsWith(".json", StringComparison.Ordinal) && await LoadAsync(name[..^5], cancellationToken).ConfigureAwait(false) is { } record)
            {
                list.Add(record);
            }
        }

        return list;
    }

    private async ValueTask SaveAsync(ApiKeyRecord record, CancellationToken cancellationToken)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(record with { Source = "store" }, Json);
        await _objects.PutBytesAsync(Prefix + record.KeyHash + ".json", bytes, cancellationToken: cancellationToken).ConfigureAwait(false);
        _cache[record.KeyHash] = (record, _time.GetUtcNow() + _options.CurrentValue.ApiKeyCacheDuration);
        _known?.Hashes.TryAdd(record.KeyHash, 0);
    }

    private async ValueTask<ApiKeyRecord?> LoadAsync(string hash, CancellationToken cancellationToken)
    {
        var content = await _objects.GetAsync(Prefix + hash + ".json", cancellationToken: cancellationToken).ConfigureAwait(false);
        if (content is null)
        {
            return null;
        }

        await using (content.ConfigureAwait(false))
        {
            var record = await JsonSerializer.DeserializeAsync<ApiKeyRecord>(content.Stream, Json, cancellationToken).ConfigureAwait(false);
            return record is not null && string.Equals(record.KeyHash, hash, StringComparison.Ordinal) ? record : null;
        }
    }

    private IEnumerable<ApiKeyRecord> FromConfiguration()
    {
        foreach (var k in _options.CurrentValue.ApiKeys)
        {
            var hash = k.KeyHash?.Trim().ToLowerInvariant();
            if (string.IsNullOrEmpty(hash) || hash.Length != 64 || !hash.All(Uri.IsHexDigit))
            {
                continue;
            }

            yield return new ApiKeyRecord
            {
                Id = hash[..16],
                Name = string.IsNullOrWhiteSpace(k.Name) ? "apikey-" + hash[..8] : k.Name.Trim(),
                KeyHash = hash,
                Roles = SplitList(k.Roles).Select(r => r.ToLowerInvariant()).ToList(),
                Agencies = SplitList(k.Agencies),
                Clearance = string.Equals(k.Clearance?.Trim(), ArchiveClaims.SecretClearance, StringComparison.OrdinalIgnoreCase) ? ArchiveClaims.SecretClearance : null,
                ExpiresAt = k.ExpiresAt,
                Source = "configuration",
            };
        }
    }

    private static List<string> SplitList(string? value)
        => string.IsNullOrWhiteSpace(value) ? [] : value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.Ordinal).ToList();

    private static bool FixedTimeEquals(string a, string b)
        => CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(a), Encoding.ASCII.GetBytes(b));

    private sealed record KnownHashes(ConcurrentDictionary<string, byte> Hashes, DateTimeOffset Expires);
}

using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Archive.Security;
using Archive.Storage;
using Microsoft.Extensions.Options;

namespace Archive.Api.Security;

/// <summary>An API key as stored: its hash and what it grants, never the key itself.</summary>
public sealed record ApiKeyRecord
{
    /// <summary>Short identifier (the first 16 hex digits of the hash), used to list and revoke.</summary>
    public required string Id { get; init; }

    /// <summary>Name (recorded as the user of changes and in the audit trail).</summary>
    public required string Name { get; init; }

    /// <summary>Hex SHA-256 of the UTF-8 key.</summary>
    public required string KeyHash { get; init; }

    /// <summary>Roles granted.</summary>
    public IReadOnlyList<string> Roles { get; init; } = [];

    /// <summary>Agencies the key belongs to.</summary>
    public IReadOnlyList<string> Agencies { get; init; } = [];

    /// <summary><c>secret</c> when the key has secret clearance.</summary>
    public string? Clearance { get; init; }

    /// <summary>When it was created.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>Who created it.</summary>
    public string? CreatedBy { get; init; }

    /// <summary>When it was revoked (null while valid).</summary>
    public DateTimeOffset? RevokedAt { get; init; }

    /// <summary>Who revoked it.</summary>
    public string? RevokedBy { get; init; }

    /// <summary><c>store</c> (created through the API or CLI) or <c>configuration</c>.</summary>
    public string Source { get; init; } = "store";
}

/// <summary>What a new API key grants.</summary>
/// <param name="Name">Name of the key (1..100 characters).</param>
/// <param name="Roles">At least one of <see cref="ArchiveRoles.All"/>.</param>
/// <param name="Agencies">Agency identifiers (may be empty for roles that read across).</param>
/// <param name="Clearance"><c>secret</c> or null.</param>
public sealed record ApiKeySpec(string Name, IReadOnlyList<string> Roles, IReadOnlyList<string>? Agencies = null, string? Clearance = null);

/// <summary>
/// API keys stored hashed (SHA-256) in the archive's object store under <see cref="Prefix"/>, plus those given by
/// configuration (<see cref="ArchiveAuthOptions.ApiKeys"/>). The key itself is returned once, at creation.
/// Revoking keeps the record (with <see cref="ApiKeyRecord.RevokedAt"/>) so the audit trail can still name it.
/// </summary>
public sealed class ApiKeyStore
{
    /// <summary>Object key prefix of stored API keys.</summary>
    public const string Prefix = "security/api-keys/";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    private readonly IObjectStore _objects;
    private readonly IOptionsMonitor<ArchiveAuthOptions> _options;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, (ApiKeyRecord? Record, DateTimeOffset Expires)> _cache = new(StringComparer.Ordinal);

    /// <summary>Creates the store over the archive's object store.</summary>
    /// <param name="objects">The object store.</param>
    /// <param name="options">Authentication options (configured keys, cache duration).</param>
    /// <param name="time">Clock (optional).</param>
    public ApiKeyStore(IObjectStore objects, IOptionsMonitor<ArchiveAuthOptions> options, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(objects);
        ArgumentNullException.ThrowIfNull(options);
        _objects = objects;
        _options = options;
        _time = time ?? TimeProvider.System;
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

    /// <summary>Creates and stores a key; returns the key (show it once) and its record.</summary>
    /// <exception cref="ArchiveValidationException">Name, roles, agencies or clearance are invalid.</exception>
    public async ValueTask<(string Key, ApiKeyRecord Record)> CreateAsync(ApiKeySpec spec, string? createdBy, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var name = spec.Name?.Trim() ?? string.Empty;
        if (name.Length is < 1 or > 100)
        {
            throw new ArchiveValidationException("name", "apikey.name", "The key name must be 1 to 100 characters.");
        }

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
            CreatedAt = _time.GetUtcNow(),
            CreatedBy = createdBy,
        };
        await SaveAsync(record, cancellationToken).ConfigureAwait(false);
        return (key, record);
    }

    /// <summary>The valid (not revoked) key with this plaintext, from configuration or the store; null otherwise.</summary>
    public async ValueTask<ApiKeyRecord?> FindAsync(string key, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(key) || key.Length > 512)
        {
            return null;
        }

        var hash = Hash(key);
        var configured = FromConfiguration().FirstOrDefault(k => FixedTimeEquals(k.KeyHash, hash));
        if (configured is not null)
        {
            return configured;
        }

        var now = _time.GetUtcNow();
        if (!_cache.TryGetValue(hash, out var cached) || cached.Expires <= now)
        {
            cached = (await LoadAsync(hash, cancellationToken).ConfigureAwait(false), now + _options.CurrentValue.ApiKeyCacheDuration);
            if (_cache.Count > 10_000)
            {
                _cache.Clear();
            }

            _cache[hash] = cached;
        }

        return cached.Record is { RevokedAt: null } valid ? valid : null;
    }

    /// <summary>Every key (stored and configured), revoked ones included, without plaintext.</summary>
    public async ValueTask<IReadOnlyList<ApiKeyRecord>> ListAsync(CancellationToken cancellationToken = default)
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

    /// <summary>Revokes a stored key by id; null when no stored key has the id (configured keys are revoked by removing them from configuration).</summary>
    public async ValueTask<ApiKeyRecord?> RevokeAsync(string id, string? revokedBy, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        var all = await ListAsync(cancellationToken).ConfigureAwait(false);
        var record = all.FirstOrDefault(r => r.Source == "store" && string.Equals(r.Id, id, StringComparison.OrdinalIgnoreCase));
        if (record is null)
        {
            return null;
        }

        if (record.RevokedAt is not null)
        {
            return record;
        }

        var revoked = record with { RevokedAt = _time.GetUtcNow(), RevokedBy = revokedBy };
        await SaveAsync(revoked, cancellationToken).ConfigureAwait(false);
        return revoked;
    }

    private async ValueTask SaveAsync(ApiKeyRecord record, CancellationToken cancellationToken)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(record with { Source = "store" }, Json);
        await _objects.PutBytesAsync(Prefix + record.KeyHash + ".json", bytes, cancellationToken: cancellationToken).ConfigureAwait(false);
        _cache[record.KeyHash] = (record, _time.GetUtcNow() + _options.CurrentValue.ApiKeyCacheDuration);
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
                Source = "configuration",
            };
        }
    }

    private static List<string> SplitList(string? value)
        => string.IsNullOrWhiteSpace(value) ? [] : value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.Ordinal).ToList();

    private static bool FixedTimeEquals(string a, string b)
        => CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(a), Encoding.ASCII.GetBytes(b));
}

using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Archive.Security;

namespace Archive.Api.Security;

/// <summary>
/// Authentication settings of <c>services.AddArchiveAuthentication(configuration)</c>, bound from the
/// <c>Archive:Auth</c> configuration section. Secrets (signing keys, key hashes) come only from configuration.
/// </summary>
public sealed class ArchiveAuthOptions : IValidatableObject
{
    /// <summary>Configuration section bound to these options.</summary>
    public const string SectionName = "Archive:Auth";

    /// <summary>JWT bearer validation (<c>Archive:Auth:Jwt:*</c>).</summary>
    public ArchiveJwtOptions Jwt { get; } = new();

    /// <summary>API keys given by configuration (<c>Archive:Auth:ApiKeys:N:*</c>), in addition to those in the archive's store.</summary>
    public IList<ConfiguredApiKey> ApiKeys { get; } = new List<ConfiguredApiKey>();

    /// <summary>
    /// Failed authentications from one client address (an IPv6 address counts with its /64) within
    /// <see cref="FailureWindow"/> before its further failing attempts get 429 without their credentials being looked up
    /// (default 10; 0 = no throttling). A valid credential from that address is still accepted.
    /// </summary>
    public int MaxFailedAuthentications { get; set; } = 10;

    /// <summary>Window of <see cref="MaxFailedAuthentications"/>, also how long failing attempts are throttled (default 5 minutes).</summary>
    public TimeSpan FailureWindow { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long the API key store's answers are cached in memory (default 30 s; revocation through this process takes effect at once).</summary>
    public TimeSpan ApiKeyCacheDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Lifetime of API keys created or rotated without an explicit <c>expiresAt</c> (<c>Archive:Auth:ApiKeyLifetime</c>,
    /// e.g. <c>90.00:00:00</c>); null (default): such keys do not expire.
    /// </summary>
    public TimeSpan? ApiKeyLifetime { get; set; }

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (ApiKeyLifetime is { } lifetime && lifetime <= TimeSpan.Zero)
        {
            yield return new ValidationResult("Archive:Auth:ApiKeyLifetime must be positive (or empty: keys do not expire).");
        }

        if (FailureWindow <= TimeSpan.Zero)
        {
            yield return new ValidationResult("Archive:Auth:FailureWindow must be positive.");
        }

        if (!Jwt.SigningKeys.All(k => string.IsNullOrWhiteSpace(k) || ArchiveAuthenticationServiceCollectionExtensions.TryLoadKey(k) is not null))
        {
            yield return new ValidationResult("Archive:Auth:Jwt:SigningKeys holds a key that is neither a PEM public key nor base64 of at least 32 bytes.");
        }
    }
}

/// <summary>Validates <see cref="ArchiveAuthOptions"/> at start-up (source-generated: the rules are <see cref="ArchiveAuthOptions.Validate(ValidationContext)"/>).</summary>
[OptionsValidator]
internal sealed partial class ArchiveAuthOptionsValidator : IValidateOptions<ArchiveAuthOptions>
{
}

/// <summary>JWT bearer settings: <see cref="Authority"/> (OpenID Connect discovery) or <see cref="Issuer"/> + <see cref="SigningKeys"/>, and <see cref="Audience"/>.</summary>
public sealed class ArchiveJwtOptions
{
    /// <summary>OpenID Connect authority (its discovery document gives issuer and keys), e.g. <c>https://id.example.gov.vn/realms/archive</c>.</summary>
    public string? Authority { get; set; }

    /// <summary>Expected <c>iss</c> when no authority is used (or to pin it).</summary>
    public string? Issuer { get; set; }

    /// <summary>Expected <c>aud</c> (required).</summary>
    public string? Audience { get; set; }

    /// <summary>
    /// Signing keys when no authority is used: PEM public keys (<c>-----BEGIN PUBLIC KEY-----</c>, RSA or EC) or
    /// base64 symmetric keys of at least 32 bytes (HS256). Several allowed (key rotation).
    /// </summary>
    public IList<string> SigningKeys { get; } = new List<string>();

    /// <summary>Whether the authority must be HTTPS (default true).</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    /// <summary>Allowed clock difference for expiry (default 1 minute).</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Whether enough is configured to validate tokens.</summary>
    public bool IsConfigured => !string.IsNullOrWhiteSpace(Audience) && (!string.IsNullOrWhiteSpace(Authority) || SigningKeys.Any(k => !string.IsNullOrWhiteSpace(k)));
}

/// <summary>An API key given by configuration: its SHA-256 hash (hex of the UTF-8 key), never the key itself.</summary>
public sealed class ConfiguredApiKey
{
    /// <summary>Name of the key (recorded as the user of changes and in the audit trail).</summary>
    public string? Name { get; set; }

    /// <summary>Lower- or upper-case hex SHA-256 of the UTF-8 key.</summary>
    public string? KeyHash { get; set; }

    /// <summary>Comma-separated role names (<see cref="ArchiveRoles"/>).</summary>
    public string? Roles { get; set; }

    /// <summary>Comma-separated agency identifiers.</summary>
    public string? Agencies { get; set; }

    /// <summary><c>secret</c> for secret clearance, else empty.</summary>
    public string? Clearance { get; set; }

    /// <summary>When the key stops authenticating (e.g. <c>2026-12-31T00:00:00+07:00</c>); empty: never.</summary>
    public DateTimeOffset? ExpiresAt { get; set; }
}

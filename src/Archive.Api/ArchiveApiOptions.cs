using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using Archive.Records;
using Microsoft.AspNetCore.Http;

namespace Archive.Api;

/// <summary>Settings of the REST facade (<c>services.AddArchiveApi(o => ...)</c>, or the <c>Archive:Api</c> configuration section of the standalone host).</summary>
public sealed class ArchiveApiOptions : IValidatableObject
{
    /// <summary>
    /// Name recorded as the user of an anonymous request (only an anonymous reader of the reading room gets through
    /// the policies, and it changes nothing). Default <c>anonymous</c>.
    /// </summary>
    public string AnonymousUserName { get; set; } = "anonymous";

    /// <summary>
    /// Resolves who makes a change. Default: the authenticated <see cref="ClaimsPrincipal"/>'s name
    /// (<see cref="System.Security.Principal.IIdentity.Name"/>, else the <c>name</c>, <c>preferred_username</c> or
    /// <c>sub</c> claim) with its principal id as address (<c>apikey:&lt;id&gt;</c>, <c>jwt:&lt;issuer&gt;|&lt;sub&gt;</c>,
    /// <c>user:…</c> or <c>mailto:…</c> for a host's own identity), so that two callers with the same name stay apart in the history; <see cref="AnonymousUserName"/> otherwise.
    /// </summary>
    public Func<HttpContext, ArchiveUser?>? UserResolver { get; set; }

    /// <summary>
    /// Whether the caller has secret clearance (sees <see cref="AccessLevel.Secret"/> record files in its scope).
    /// Default: the authenticated principal carries the claim <c>archive:clearance</c> = <c>secret</c>
    /// (<see cref="Security.ArchiveClaims.Clearance"/>). Without clearance, secret files and their documents are left
    /// out of lists, searches (not even counted) and due lists, and reading one answers 404.
    /// </summary>
    public Func<HttpContext, bool> CanAccessSecret { get; set; } = static ctx => Security.HttpCaller.HasClearanceClaim(ctx.User);

    /// <summary>
    /// Whether anonymous callers may use the read endpoints (policy <see cref="Security.ArchivePolicies.Read"/>) with a
    /// researcher's rights: accessioned, public record files only. Default false (anonymous callers get 401); the
    /// standalone server turns it on (<c>Archive:Api:AnonymousReadingRoom</c>).
    /// </summary>
    public bool AnonymousReadingRoom { get; set; }

    /// <summary>Requests per minute per client on the Archive endpoints (policy <see cref="Security.ArchiveRateLimiting.PolicyName"/>); 0 turns the limit off. Default 600.</summary>
    public int RequestsPerMinute { get; set; } = 600;

    /// <summary>Largest JSON request body in bytes (default 1 MiB; 413 beyond). Content uploads have their own limit (<c>Archive:MaxUploadBytes</c>).</summary>
    public long MaxJsonBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// Path prefixes of HTML pages (Swagger UI, the reading room) that get a relaxed Content-Security-Policy
    /// (<c>frame-ancestors 'none'</c> only) from <c>app.UseArchiveSecurity()</c>; every other response gets
    /// <c>default-src 'none'</c>. A page that sets its own Content-Security-Policy keeps it.
    /// </summary>
    public IList<string> PagePaths { get; } = new List<string> { "/swagger", "/reading-room" };

    /// <summary>Largest <c>pageSize</c> of list endpoints (default 1000).</summary>
    public int MaxListPageSize { get; set; } = 1000;

    /// <summary>Name of the OpenAPI document registered by <c>AddArchiveApi</c> (served by <c>MapOpenApi()</c> at <c>/openapi/{name}.json</c>). Default <c>archive</c>.</summary>
    public string OpenApiDocumentName { get; set; } = "archive";

    /// <summary>
    /// Addresses of reverse proxies whose <c>X-Forwarded-For</c> / <c>X-Forwarded-Proto</c> are believed
    /// (<c>Archive:Api:TrustedProxies:N</c>, e.g. <c>10.0.0.5</c>). Empty (default) with <see cref="TrustedNetworks"/>:
    /// forwarded headers are ignored and the client address is the TCP peer's.
    /// </summary>
    public IList<string> TrustedProxies { get; } = new List<string>();

    /// <summary>Networks of trusted reverse proxies in CIDR notation (<c>Archive:Api:TrustedNetworks:N</c>, e.g. <c>10.0.0.0/24</c>).</summary>
    public IList<string> TrustedNetworks { get; } = new List<string>();

    /// <summary>Whether forwarded headers are applied (a trusted proxy or network is configured).</summary>
    public bool UsesForwardedHeaders => TrustedProxies.Any(p => !string.IsNullOrWhiteSpace(p)) || TrustedNetworks.Any(n => !string.IsNullOrWhiteSpace(n));

    /// <summary>
    /// Language of problem details (<c>title</c>, <c>detail</c>, <c>errors[].message</c>) when the request's
    /// <c>Accept-Language</c> names neither <c>vi</c> nor <c>en</c>: <c>en</c> (default) or <c>vi</c>. The standalone
    /// server sets <c>vi</c> (<c>Archive:Api:DefaultProblemLanguage</c>). Rule ids, types and fields never change.
    /// </summary>
    public string DefaultProblemLanguage { get; set; } = "en";

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var proxy in TrustedProxies.Where(p => !string.IsNullOrWhiteSpace(p) && !System.Net.IPAddress.TryParse(p.Trim(), out _)))
        {
            yield return new ValidationResult($"Archive:Api:TrustedProxies: '{proxy}' is not an IP address.");
        }

        foreach (var network in TrustedNetworks.Where(n => !string.IsNullOrWhiteSpace(n) && !System.Net.IPNetwork.TryParse(n.Trim(), out _)))
        {
            yield return new ValidationResult($"Archive:Api:TrustedNetworks: '{network}' is not a network in CIDR notation (e.g. 10.0.0.0/24).");
        }

        if (MaxListPageSize is < 1 or > 100_000)
        {
            yield return new ValidationResult("ArchiveApiOptions.MaxListPageSize must be between 1 and 100000.");
        }

        if (RequestsPerMinute < 0)
        {
            yield return new ValidationResult("ArchiveApiOptions.RequestsPerMinute must not be negative.");
        }

        if (MaxJsonBodyBytes < 1024)
        {
            yield return new ValidationResult("ArchiveApiOptions.MaxJsonBodyBytes must be at least 1024.");
        }

        if (!Http.ProblemCatalogue.IsSupported(DefaultProblemLanguage))
        {
            yield return new ValidationResult("ArchiveApiOptions.DefaultProblemLanguage must be 'vi' or 'en'.");
        }

        if (string.IsNullOrWhiteSpace(OpenApiDocumentName))
        {
            yield return new ValidationResult("ArchiveApiOptions.OpenApiDocumentName is required.");
        }
    }
}

/// <summary>Validates <see cref="ArchiveApiOptions"/> at start-up (source-generated: the rules are <see cref="ArchiveApiOptions.Validate(ValidationContext)"/>).</summary>
[Microsoft.Extensions.Options.OptionsValidator]
internal sealed partial class ArchiveApiOptionsValidator : Microsoft.Extensions.Options.IValidateOptions<ArchiveApiOptions>
{
}

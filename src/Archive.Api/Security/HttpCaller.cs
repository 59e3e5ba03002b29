using System.Security.Claims;
using Archive.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Archive.Api.Security;

/// <summary>
/// Builds the engine's <see cref="ArchiveCaller"/> of a request from its principal (claims <see cref="ArchiveClaims"/>):
/// roles, agencies, secret clearance (<see cref="ArchiveApiOptions.CanAccessSecret"/>), the user
/// (<see cref="ArchiveApiOptions.UserResolver"/>) and the client address. Once per request, kept in
/// <see cref="HttpContext.Items"/> (so the custody the policy looks up is remembered for the request only). The access
/// rules themselves are the engine's (<see cref="IArchiveAccessPolicy"/>).
/// </summary>
internal static class HttpCaller
{
    private static readonly object ItemKey = new();

    public static ArchiveCaller Of(HttpContext http)
    {
        if (http.Items.TryGetValue(ItemKey, out var cached) && cached is ArchiveCaller caller)
        {
            return caller;
        }

        var options = http.RequestServices.GetService<IOptions<ArchiveApiOptions>>()?.Value ?? new ArchiveApiOptions();
        var address = ClientAddress(http);
        var user = Http.RequestContext.User(http, options);
        caller = IsAuthenticated(http.User)
            ? ArchiveCaller.Authenticated(user, Roles(http.User), Agencies(http.User), options.CanAccessSecret(http), address, PrincipalId(http.User))
            : ArchiveCaller.Anonymous(user, address);
        http.Items[ItemKey] = caller;
        return caller;
    }

    /// <summary>
    /// Who the principal is, unambiguously (names are not unique): <c>apikey:&lt;id&gt;</c> for an Archive API key,
    /// <c>jwt:&lt;issuer&gt;|&lt;sub&gt;</c> for a token with a subject; for a host's own identity <c>user:</c> + its
    /// name identifier, else <c>mailto:</c> + its e-mail, else <c>user:</c> + its name; <see cref="ArchiveCaller.AnonymousActor"/> when not authenticated.
    /// </summary>
    public static string PrincipalId(ClaimsPrincipal? principal)
    {
        if (!IsAuthenticated(principal))
        {
            return ArchiveCaller.AnonymousActor;
        }

        if (principal!.FindFirst(ArchiveClaims.ApiKeyId)?.Value is { Length: > 0 } keyId)
        {
            return "apikey:" + keyId;
        }

        if (principal.FindFirst("sub") is { Value.Length: > 0 } sub)
        {
            return "jwt:" + (principal.FindFirst("iss")?.Value ?? sub.Issuer) + "|" + sub.Value;
        }

        if (principal.FindFirst(ClaimTypes.NameIdentifier)?.Value is { Length: > 0 } id)
        {
            return "user:" + id;
        }

        var email = principal.FindFirst(ClaimTypes.Email)?.Value ?? principal.FindFirst("email")?.Value;
        return string.IsNullOrWhiteSpace(email) ? "user:" + (principal.Identity?.Name ?? "?") : "mailto:" + email;
    }

    public static string? ClientAddress(HttpContext http) => http.Connection.RemoteIpAddress?.ToString();

    public static bool IsAuthenticated(ClaimsPrincipal? principal) => principal?.Identities.Any(i => i.IsAuthenticated) == true;

    /// <summary>The roles of an authenticated principal, lower case (claims <c>role</c>, <see cref="ClaimTypes.Role"/> or <c>roles</c>; several per claim allowed); none for an anonymous one.</summary>
    public static IReadOnlySet<string> Roles(ClaimsPrincipal? principal)
    {
        var roles = new HashSet<string>(StringComparer.Ordinal);
        if (IsAuthenticated(principal))
        {
            foreach (var claim in principal!.Claims.Where(c => c.Type is ArchiveClaims.Role or ClaimTypes.Role or "roles"))
            {
                foreach (var r in Split(claim.Value))
                {
                    roles.Add(r.ToLowerInvariant());
                }
            }
        }

        return roles;
    }

    /// <summary>The agencies of an authenticated principal (claim <see cref="ArchiveClaims.Agency"/>).</summary>
    public static IEnumerable<string> Agencies(ClaimsPrincipal principal)
        => principal.FindAll(ArchiveClaims.Agency).SelectMany(c => Split(c.Value));

    /// <summary>Whether the principal carries the secret clearance claim (the default of <see cref="ArchiveApiOptions.CanAccessSecret"/>).</summary>
    public static bool HasClearanceClaim(ClaimsPrincipal? principal)
        => IsAuthenticated(principal)
           && principal!.FindAll(ArchiveClaims.Clearance).Any(c => Split(c.Value).Any(v => string.Equals(v, ArchiveClaims.SecretClearance, StringComparison.OrdinalIgnoreCase)));

    private static string[] Split(string value)
        => value.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

using System.Security.Claims;
using Archive.Records;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Archive.Api.Http;

/// <summary>Who is calling and what they may see.</summary>
internal static class RequestContext
{
    public static ArchiveApiOptions Options(HttpContext http) => http.RequestServices.GetRequiredService<IOptions<ArchiveApiOptions>>().Value;

    /// <summary>The user recorded in the package version: the host's resolver, else the authenticated name, else anonymous.</summary>
    public static ArchiveUser User(HttpContext http)
    {
        var options = Options(http);
        if (options.UserResolver?.Invoke(http) is { } resolved && !string.IsNullOrWhiteSpace(resolved.Name))
        {
            return resolved;
        }

        var principal = http.User;
        if (principal.Identity is { IsAuthenticated: true } identity)
        {
            var name = identity.Name
                ?? principal.FindFirst("name")?.Value
                ?? principal.FindFirst("preferred_username")?.Value
                ?? principal.FindFirst(ClaimTypes.NameIdentifier)?.Value
                ?? principal.FindFirst("sub")?.Value;
            if (!string.IsNullOrWhiteSpace(name))
            {
                var email = principal.FindFirst(ClaimTypes.Email)?.Value ?? principal.FindFirst("email")?.Value;
                return new ArchiveUser(name, string.IsNullOrWhiteSpace(email) ? null : "mailto:" + email);
            }
        }

        return new ArchiveUser(string.IsNullOrWhiteSpace(options.AnonymousUserName) ? "anonymous" : options.AnonymousUserName);
    }

    public static bool CanAccessSecret(HttpContext http) => Options(http).CanAccessSecret(http);

    /// <summary>Whether the caller may see a record file with this access level.</summary>
    public static bool CanSee(HttpContext http, AccessLevel rights) => rights != AccessLevel.Secret || CanAccessSecret(http);
}

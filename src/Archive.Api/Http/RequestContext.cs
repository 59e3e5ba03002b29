using System.Security.Claims;
using Archive.Records;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Archive.Api.Http;

/// <summary>Who is calling (what they may see is the engine's <see cref="Archive.Security.IArchiveAccessPolicy"/>).</summary>
internal static class RequestContext
{
    public static ArchiveApiOptions Options(HttpContext http) => http.RequestServices.GetRequiredService<IOptions<ArchiveApiOptions>>().Value;

    /// <summary>The user recorded in the package version: the host's resolver, else the authenticated name with the principal id as address, else anonymous.</summary>
    public static ArchiveUser User(HttpContext http) => User(http, Options(http));

    /// <summary>The user recorded in the package version, with the facade's options at hand.</summary>
    public static ArchiveUser User(HttpContext http, ArchiveApiOptions options)
    {
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
                // The address is the principal id (apikey:<id>, jwt:<issuer>|<sub>, ...): names are not unique, the
                // version history and the audit trail must still tell two callers apart.
                return new ArchiveUser(name, Security.HttpCaller.PrincipalId(principal));
            }
        }

        return new ArchiveUser(string.IsNullOrWhiteSpace(options.AnonymousUserName) ? "anonymous" : options.AnonymousUserName);
    }
}

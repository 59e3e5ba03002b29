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

    /// <summary>A list's page size: <paramref name="pageSize"/> or 100, refused (400 <c>pageSize</c> <c>page-size.range</c>) outside 1 to <see cref="ArchiveApiOptions.MaxListPageSize"/>.</summary>
    public static int ListPageSize(HttpContext http, int? pageSize)
    {
        var max = Options(http).MaxListPageSize;
        var size = pageSize ?? 100;
        if (size < 1 || size > max)
        {
            throw ApiRequestException.BadRequest("pageSize", "page-size.range", $"pageSize must be between 1 and {max}.");
        }

        return size;
    }

    /// <summary>
    /// A status filter from the query string: null when absent; a member's name (any case) of <typeparamref name="T"/>;
    /// anything else, numbers included, refused (400 <c>status</c> <paramref name="rule"/>, <paramref name="message"/>).
    /// </summary>
    public static T? StatusFilter<T>(string? status, string rule, string message)
        where T : struct, Enum
    {
        if (status is null)
        {
            return null;
        }

        return Enum.TryParse<T>(status, ignoreCase: true, out var s) && Enum.IsDefined(s) && !int.TryParse(status, out _)
            ? s
            : throw ApiRequestException.BadRequest("status", rule, message);
    }

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

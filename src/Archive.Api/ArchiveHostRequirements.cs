using Archive.Api.Mapping;
using Archive.Records;
using Archive.Search;
using Archive.Storage;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection;

namespace Archive.Api;

/// <summary>
/// What a host must have registered before <c>MapArchive()</c>: checked when the endpoints are mapped (at start-up),
/// so that a host that forgot a call fails there with a message naming it, instead of answering every request
/// with a 500.
/// </summary>
internal static class ArchiveHostRequirements
{
    /// <summary>Throws, listing every missing piece and the call that adds it, unless the host has them all.</summary>
    /// <exception cref="InvalidOperationException">Something is missing.</exception>
    public static void Verify(IServiceProvider services)
    {
        var missing = Missing(services);
        if (missing.Count > 0)
        {
            throw new InvalidOperationException(
                "MapArchive() cannot map the Archive endpoints; the host's service registration is missing:"
                + string.Concat(missing.Select(m => Environment.NewLine + " - " + m)));
        }
    }

    /// <summary>The missing pieces, each with the call that adds it.</summary>
    public static IReadOnlyList<string> Missing(IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var registered = services.GetService<IServiceProviderIsService>();
        bool Has<T>() => registered?.IsService(typeof(T)) ?? services.GetService(typeof(T)) is not null;

        var missing = new List<string>();
        if (!Has<ArchiveStorage>())
        {
            missing.Add("the Archive engine: call services.AddArchive(o => o.DataPath = ...) (package Archive.Core).");
        }
        else
        {
            if (!Has<IObjectStore>())
            {
                missing.Add("an object store: call .AddEmbeddedDefaults() (package Archive.Embedded) on the builder AddArchive returns, or a storage provider such as .AddFileSystemStorage(...) or .AddMinioStorage(...).");
            }

            if (!Has<ISearchIndex>())
            {
                missing.Add("a search index: call .AddEmbeddedDefaults() (package Archive.Embedded) on the builder AddArchive returns, or a search provider such as .AddLuceneSearch(...) or .AddElasticsearchSearch(...).");
            }
        }

        if (!Has<ArchiveApiMapper>())
        {
            missing.Add("the REST facade's services: call services.AddArchiveApi().");
        }

        if (!Has<IAuthenticationService>() || !Has<IAuthenticationSchemeProvider>())
        {
            missing.Add("authentication: call services.AddArchiveAuthentication(configuration) (API keys and JWT bearer tokens, see docs/security.md), or add your own authentication (services.AddAuthentication(...) with a default scheme) whose principal carries the Archive roles and claims (Archive.Security.ArchiveRoles, Archive.Api.Security.ArchiveClaims).");
        }
        else if (services.GetService<IAuthenticationSchemeProvider>() is { } schemes
            && schemes.GetDefaultAuthenticateSchemeAsync().GetAwaiter().GetResult() is null)
        {
            missing.Add("a default authentication scheme: services.AddAuthentication(...) is there but names no default scheme and has more or fewer than one; set AuthenticationOptions.DefaultScheme (services.AddArchiveAuthentication(configuration) does).");
        }

        if (!Has<IAuthorizationService>() || !Has<IAuthorizationPolicyProvider>())
        {
            missing.Add("authorization: call services.AddAuthorization() (services.AddArchiveApi() does).");
        }

        return missing;
    }
}

using Archive.Api.Endpoints;
using Archive.Api.Http;
using Archive.Api.Mapping;
using Archive.Api.OpenApi;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the Archive REST facade.</summary>
public static class ArchiveEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the Archive endpoints (agencies, fonds, record files, documents, contents, search, retention, jobs) under
    /// whatever the host chose, e.g. <c>app.MapGroup("/archive").MapArchive()</c>. Every endpoint requires one of the
    /// <see cref="Archive.Api.Security.ArchivePolicies"/> and the rate limiting policy
    /// <see cref="Archive.Api.Security.ArchiveRateLimiting.PolicyName"/> (the host calls <c>app.UseArchiveSecurity()</c>
    /// or its own authentication, rate limiter and authorization middleware). The returned group takes further
    /// conventions (CORS...). The user recorded in each package
    /// version is the request's authenticated user (see <see cref="Archive.Api.ArchiveApiOptions.UserResolver"/>).
    /// Requires <c>services.AddArchive(...)</c> with an object store and a search index (e.g.
    /// <c>.AddEmbeddedDefaults()</c>), <c>services.AddArchiveApi()</c> and authentication
    /// (<c>services.AddArchiveAuthentication(configuration)</c> or the host's own, with a default scheme).
    /// </summary>
    /// <exception cref="InvalidOperationException">One of them is missing: the message lists each, with the call that adds it.</exception>
    /// <param name="endpoints">The application or a route group.</param>
    /// <returns>The group holding every Archive endpoint.</returns>
    public static RouteGroupBuilder MapArchive(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        Archive.Api.ArchiveHostRequirements.Verify(endpoints.ServiceProvider);

        var group = endpoints.MapGroup(string.Empty);
        group.WithMetadata(ArchiveEndpointMetadata.Instance);
        group.AddEndpointFilter(new ArchiveProblemFilter());
        group.RequireRateLimiting(Archive.Api.Security.ArchiveRateLimiting.PolicyName);
        group.ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status500InternalServerError)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        RegistryEndpoints.Map(group);
        CatalogueEndpoints.Map(group);
        LocationEndpoints.Map(group);
        RecordExportEndpoints.Map(group);
        ImportEndpoints.Map(group);
        RecordFileEndpoints.Map(group);
        ContentEndpoints.Map(group);
        SearchEndpoints.Map(group);
        RetentionEndpoints.Map(group);
        JobEndpoints.Map(group);
        AuditEndpoints.Map(group);
        DispositionEndpoints.Map(group);
        BackupEndpoints.Map(group);
        BacklogEndpoints.Map(group);
        StatisticsEndpoints.Map(group);
        IntegrationEndpoints.Map(group);
        AccessRequestEndpoints.Map(group);
        MigrationEndpoints.Map(group);
        if (endpoints.ServiceProvider.GetService<Archive.Reorganisation.ReorganisationService>() is not null)
        {
            // Only when the host called AddArchive(...).AddReorganisation().
            ReorganisationEndpoints.Map(group);
        }

        if (endpoints.ServiceProvider.GetService<Archive.Exchange.PackageExchangeService>() is not null)
        {
            // Only when the host called AddArchive(...).AddPackageExchange() (with AddReorganisation()/AddTransfer()).
            ExchangeEndpoints.Map(group);
        }

        Archive.Api.Security.ApiKeyEndpoints.Map(group);
        return group;
    }
}

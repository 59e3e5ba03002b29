using Archive.Api;
using Archive.Api.Health;
using Archive.Api.Mapping;
using Archive.Api.OpenApi;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the services of the Archive REST facade.</summary>
public static class ArchiveApiServiceCollectionExtensions
{
    /// <summary>
    /// Registers what <c>MapArchive()</c> needs: its options, the authorization policies of
    /// <see cref="Archive.Api.Security.ArchivePolicies"/> (roles in <see cref="Archive.Api.Security.ArchivePolicyRoles"/>),
    /// the rate limiting policy, the forwarded headers of trusted proxies (<see cref="ArchiveApiOptions.TrustedProxies"/>,
    /// <see cref="ArchiveApiOptions.TrustedNetworks"/>; applied by <c>app.UseArchiveSecurity()</c>), the DTO mapping (AutoMapper, private to Archive.Api), problem details, health checks of the storage and the search index (tag
    /// <c>archive</c>), and the OpenAPI document (<see cref="ArchiveApiOptions.OpenApiDocumentName"/>, served by the
    /// host's <c>app.MapOpenApi()</c>). Call <c>services.AddArchive(...)</c> too, and either
    /// <c>services.AddArchiveAuthentication(configuration)</c> or the host's own authentication whose principal carries
    /// the Archive claims (<see cref="Archive.Api.Security.ArchiveClaims"/>). The access rules, start-up recovery, the
    /// pending-index loop and the reindex job runner are the engine's, registered by <c>AddArchive</c>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Optional settings.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddArchiveApi(this IServiceCollection services, Action<ArchiveApiOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var optionsBuilder = services.AddOptionsWithValidateOnStart<ArchiveApiOptions, ArchiveApiOptionsValidator>();
        if (configure is not null)
        {
            optionsBuilder.Configure(configure);
        }

        services.TryAddSingleton<ArchiveApiMapper>();
        services.TryAddSingleton<Archive.Migration.IRuleMessageLocalizer, Archive.Api.Endpoints.ProblemCatalogueLocalizer>(); // migration error reports in Vietnamese
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<Archive.Hosting.ArchiveOptions>, LegacyPendingIndexInterval>());
        services.AddProblemDetails();
        services.PostConfigure<Microsoft.AspNetCore.Builder.ExceptionHandlerOptions>(o =>
        {
            // Where the framework throws for a value it cannot bind (Development, or RouteHandlerOptions.ThrowOnBadRequest),
            // the host's exception handler answers the exception's own 4xx, not 500.
            var host = o.StatusCodeSelector;
            o.StatusCodeSelector = ex => ex is Microsoft.AspNetCore.Http.BadHttpRequestException bad && bad.StatusCode is >= 400 and < 500
                ? bad.StatusCode
                : host?.Invoke(ex) ?? Microsoft.AspNetCore.Http.StatusCodes.Status500InternalServerError;
        });
        services.PostConfigure<Microsoft.AspNetCore.Http.ProblemDetailsOptions>(o =>
        {
            // A value the framework could not bind (before the endpoint runs) gets the parameter and the rule named; the
            // framework's own answers (401, 403, 404, 405, 413, 415, 429...) get the archive's type, rule and errors.
            var host = o.CustomizeProblemDetails;
            o.CustomizeProblemDetails = context =>
            {
                host?.Invoke(context);
                Archive.Api.Http.BindingProblems.Describe(context);
                Archive.Api.Http.FrameworkProblems.Describe(context);
                Archive.Api.Http.ProblemCatalogue.Localize(context.ProblemDetails, context.HttpContext);
            };
        });
        Archive.Api.Security.ArchiveAuthorization.AddPolicies(services);
        Archive.Api.Security.ArchiveRateLimiting.AddPolicy(services);
        Archive.Api.Security.ArchiveForwardedHeaders.AddOptions(services);
        services.AddHealthChecks()
            .AddCheck<ArchiveStorageHealthCheck>("archive-storage", tags: ["archive", "storage"])
            .AddCheck<ArchiveSearchHealthCheck>("archive-search", tags: ["archive", "search"]);

        // The document name is needed now; take it from the delegate's result on a scratch instance.
        var scratch = new ArchiveApiOptions();
        configure?.Invoke(scratch);
        services.AddOpenApi(scratch.OpenApiDocumentName, ArchiveOpenApi.Configure);
        return services;
    }

    /// <summary>
    /// <c>Archive:Api:PendingIndexInterval</c>, the setting's name when it belonged to the REST facade, still sets
    /// <see cref="Archive.Hosting.ArchiveOptions.PendingIndexInterval"/> unless <c>Archive:PendingIndexInterval</c> is set.
    /// </summary>
    private sealed class LegacyPendingIndexInterval(IServiceProvider services) : IConfigureOptions<Archive.Hosting.ArchiveOptions>
    {
        public void Configure(Archive.Hosting.ArchiveOptions options)
        {
            var configuration = services.GetService<IConfiguration>();
            if (configuration is not null
                && string.IsNullOrWhiteSpace(configuration["Archive:PendingIndexInterval"])
                && configuration["Archive:Api:PendingIndexInterval"] is { Length: > 0 } legacy)
            {
                options.PendingIndexInterval = TimeSpan.Parse(legacy, System.Globalization.CultureInfo.InvariantCulture);
            }
        }
    }
}

using Archive;
using Archive.Search;
using Archive.Search.Elastic;
using Archive.Search.Elastic.Internal;
using Elastic.Clients.Elasticsearch;
using Elastic.Transport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Elasticsearch search adapter.</summary>
public static class ElasticsearchSearchServiceCollectionExtensions
{
    /// <summary>
    /// Uses Elasticsearch as <see cref="ISearchIndex"/> (replacing an earlier registration, e.g. the embedded Lucene
    /// default: the last registration wins; its rebuild capability is obtained through
    /// <see cref="ISearchIndex.GetService"/>), and registers
    /// <see cref="ElasticsearchSearchHealthCheck"/>. Options are validated when the host starts.
    /// </summary>
    /// <remarks>
    /// The client: an <see cref="ElasticsearchClient"/> the host registered in the service collection is used as it
    /// is (its connection and authentication settings; <see cref="ElasticsearchSearchOptions.Urls"/> and the credentials
    /// are then not needed). Otherwise one is created from the options when the index is first resolved. The adapter
    /// writes and reads its documents with its own JSON converter, so a client with a custom (System.Text.Json based)
    /// source serializer works too.
    /// </remarks>
    /// <param name="builder">The Archive builder.</param>
    /// <param name="configure">Sets the cluster address (or nothing, with a host client) and, optionally, the rest.</param>
    public static IArchiveBuilder AddElasticsearchSearch(this IArchiveBuilder builder, Action<ElasticsearchSearchOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var services = builder.Services;
        services.AddOptionsWithValidateOnStart<ElasticsearchSearchOptions, ElasticsearchSearchOptionsValidator>()
            .Configure(configure)
            .PostConfigure<IServiceProviderIsService>((o, container) => o.HostSuppliesClient = container.IsService(typeof(ElasticsearchClient)));
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<ElasticsearchSearchOptions>>().Value;
            var client = sp.GetService<ElasticsearchClient>() ?? CreateClient(options);
            return new ElasticsearchSearchIndex(client, options, sp.GetService<ILogger<ElasticsearchSearchIndex>>());
        });
        services.Replace(ServiceDescriptor.Singleton<ISearchIndex>(sp => sp.GetRequiredService<ElasticsearchSearchIndex>()));
        services.TryAddSingleton<ElasticsearchSearchHealthCheck>();
        return builder;
    }

    /// <summary>
    /// Uses Elasticsearch as <see cref="AddElasticsearchSearch(IArchiveBuilder, Action{ElasticsearchSearchOptions})"/>
    /// does, with the options bound from a configuration section — the keys are the option names (<c>Urls:0</c>,
    /// <c>CloudId</c>, <c>ApiKey</c>, <c>Username</c>, <c>Password</c>, <c>CertificateFingerprint</c>,
    /// <c>IndexAlias</c>, <c>NumberOfReplicas</c>, ...), as the standalone server's <c>Archive:Search:Elasticsearch</c>.
    /// </summary>
    /// <param name="builder">The Archive builder.</param>
    /// <param name="configuration">The section holding the options (e.g. <c>configuration.GetSection("Archive:Search:Elasticsearch")</c>).</param>
    /// <param name="configure">Changes applied after binding, or none.</param>
    public static IArchiveBuilder AddElasticsearchSearch(this IArchiveBuilder builder, IConfiguration configuration, Action<ElasticsearchSearchOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return builder.AddElasticsearchSearch(o =>
        {
            configuration.Bind(o);
            configure?.Invoke(o);
        });
    }

    /// <summary>
    /// A client for the options' cluster: node pool, authentication, certificate pin, timeout, compressed requests.
    /// With <see cref="ElasticsearchSearchOptions.CertificateFingerprint"/> the server certificate is accepted when the
    /// platform trusts it or when the pinned certificate anchors its chain; the host name and the validity dates are
    /// checked either way.
    /// </summary>
    public static ElasticsearchClient CreateClient(ElasticsearchSearchOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = ElasticsearchSearchOptionsValidator.Errors(options, hostSuppliesClient: false);
        if (errors.Count > 0)
        {
            throw new OptionsValidationException(nameof(ElasticsearchSearchOptions), typeof(ElasticsearchSearchOptions), errors);
        }

        AuthorizationHeader? auth = !string.IsNullOrEmpty(options.ApiKey) ? new ApiKey(options.ApiKey)
            : !string.IsNullOrEmpty(options.Username) ? new BasicAuthentication(options.Username, options.Password ?? "")
            : null;

        ElasticsearchClientSettings settings;
        if (!string.IsNullOrWhiteSpace(options.CloudId))
        {
            settings = new ElasticsearchClientSettings(options.CloudId, auth!);
        }
        else
        {
            NodePool pool = options.Urls.Count == 1 ? new SingleNodePool(options.Urls[0]) : new StaticNodePool(options.Urls);
            settings = new ElasticsearchClientSettings(pool);
            if (auth is not null)
            {
                settings.Authentication(auth);
            }
        }

        if (!string.IsNullOrEmpty(options.CertificateFingerprint))
        {
            // Not settings.CertificateFingerprint(...): the transport's fingerprint check ignores host name and dates.
            var pin = PinnedCertificate.ParseFingerprint(options.CertificateFingerprint);
            settings.ServerCertificateValidationCallback((_, certificate, chain, errors) => PinnedCertificate.Validate(certificate, chain, errors, pin, DateTime.Now));
        }

        settings.RequestTimeout(options.RequestTimeout);
        settings.EnableHttpCompression();
        return new ElasticsearchClient(settings);
    }
}

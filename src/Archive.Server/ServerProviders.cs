using System.Globalization;
using System.Text.RegularExpressions;
using Archive;
using Archive.Search;
using Archive.Search.Elastic;
using Archive.Storage;
using Archive.Storage.Minio;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

/// <summary>The object stores the standalone server can use (<c>Archive:Storage:Provider</c>).</summary>
internal enum StorageProvider
{
    /// <summary>The embedded folder store in <c>DataPath/store</c> (default).</summary>
    FileSystem,

    /// <summary>An S3 bucket (<c>Archive:Storage:S3:*</c>, package Archive.Storage.Minio).</summary>
    S3,
}

/// <summary>The search indexes the standalone server can use (<c>Archive:Search:Provider</c>).</summary>
internal enum SearchProvider
{
    /// <summary>The embedded Lucene.NET index in <c>DataPath/index</c> (default).</summary>
    Lucene,

    /// <summary>An Elasticsearch cluster (<c>Archive:Search:Elasticsearch:*</c>, package Archive.Search.Elastic).</summary>
    Elasticsearch,

    /// <summary>No index on this host (<see cref="NoSearchIndex"/>).</summary>
    None,
}

/// <summary>
/// The server's choice of providers, read from configuration: the object store (<c>Archive:Storage:Provider</c> =
/// <c>FileSystem</c> | <c>S3</c>, options under <c>Archive:Storage:S3</c>), the search index
/// (<c>Archive:Search:Provider</c> = <c>Lucene</c> | <c>Elasticsearch</c> | <c>None</c>, options under
/// <c>Archive:Search:Elasticsearch</c>) and whether several hosts share the storage (<c>Archive:Hosts:Shared</c>). The
/// providers are registered with the packages' own configuration overloads (a vendor's host uses the same keys) before
/// <c>AddEmbeddedDefaults</c>, whose folder store and Lucene index are only added where no provider was chosen; the
/// OpenXml documents always stay. Everything wrong with the choice is found before the server listens, and before
/// anything is written: names and combinations when the configuration is read (<see cref="FromConfiguration"/>), the
/// options, the store's capabilities and the bucket (reachable with the credentials, with S3 Object Lock when
/// required) by <see cref="CheckAsync"/>.
/// </summary>
internal sealed partial class ServerProviders
{
    public const string StorageProviderKey = "Archive:Storage:Provider";
    public const string S3Section = "Archive:Storage:S3";
    public const string SearchProviderKey = "Archive:Search:Provider";
    public const string ElasticsearchSection = "Archive:Search:Elasticsearch";
    public const string SharedKey = "Archive:Hosts:Shared";
    public const string DurabilityKey = "Archive:Storage:FileSystem:Durability";

    /// <summary>Exit code of a server that refuses to start on its configuration (EX_CONFIG of sysexits.h).</summary>
    public const int ConfigurationExitCode = 78;

    /// <summary>How long the start-up check waits for the bucket.</summary>
    private static readonly TimeSpan BucketCheckTimeout = TimeSpan.FromSeconds(30);

    private ServerProviders(StorageProvider storage, SearchProvider search, bool shared, Archive.Storage.FileSystem.FileSystemDurability? durability)
    {
        Storage = storage;
        Search = search;
        Shared = shared;
        Durability = durability;
    }

    /// <summary>How the folder store makes writes durable, when configured (<see cref="DurabilityKey"/>); the store's default otherwise.</summary>
    public Archive.Storage.FileSystem.FileSystemDurability? Durability { get; }

    public StorageProvider Storage { get; }

    public SearchProvider Search { get; }

    public bool Shared { get; }

    /// <summary>Reads the choice; every broken rule is listed, naming its key.</summary>
    /// <exception cref="ServerConfigurationException">A provider name is unknown or the combination cannot work.</exception>
    public static ServerProviders FromConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var errors = new List<string>();
        var storage = Parse(configuration, StorageProviderKey, StorageProvider.FileSystem, errors);
        var search = Parse(configuration, SearchProviderKey, SearchProvider.Lucene, errors);
        var shared = false;
        var sharedText = configuration[SharedKey];
        if (!string.IsNullOrWhiteSpace(sharedText) && !bool.TryParse(sharedText.Trim(), out shared))
        {
            errors.Add($"{SharedKey}: '{sharedText}' is neither true nor false.");
        }

        if (shared && storage == StorageProvider.FileSystem && !HasError(errors, StorageProviderKey))
        {
            errors.Add($"{SharedKey}=true needs {StorageProviderKey}=S3: a folder on one machine cannot be shared by several hosts.");
        }

        if (shared && search == SearchProvider.Lucene && !HasError(errors, SearchProviderKey))
        {
            errors.Add($"{SharedKey}=true: an embedded per-host index cannot serve several hosts: set {SearchProviderKey}=Elasticsearch (or None).");
        }

        Archive.Storage.FileSystem.FileSystemDurability? durability = null;
        if (configuration[DurabilityKey] is { } durabilityText && !string.IsNullOrWhiteSpace(durabilityText))
        {
            if (Enum.TryParse<Archive.Storage.FileSystem.FileSystemDurability>(durabilityText.Trim(), ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) && !int.TryParse(durabilityText, out _))
            {
                durability = parsed;
            }
            else
            {
                errors.Add($"{DurabilityKey}: '{durabilityText}' is not one of Fsync, GroupSync.");
            }

            if (storage != StorageProvider.FileSystem && !HasError(errors, StorageProviderKey))
            {
                errors.Add($"{DurabilityKey} applies to the folder store ({StorageProviderKey}=FileSystem) only.");
            }
        }

        if (errors.Count > 0)
        {
            throw new ServerConfigurationException(errors);
        }

        return new ServerProviders(storage, search, shared, durability);
    }

    /// <summary>
    /// Registers the chosen providers on the engine's builder (call before <c>AddEmbeddedDefaults</c>), and the health
    /// checks <c>storage</c> and <c>search</c> naming what is in use.
    /// </summary>
    public IArchiveBuilder Register(IArchiveBuilder builder, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configuration);
        if (Storage == StorageProvider.S3)
        {
            builder.AddMinioStorage(configuration.GetSection(S3Section));
        }
        else if (Durability is { } durability)
        {
            // The embedded folder store (DataPath/store) with the configured durability; AddEmbeddedDefaults keeps it.
            builder.Services.TryAddSingleton<IObjectStore>(sp => new Archive.Storage.FileSystem.FileSystemObjectStore(
                new Archive.Storage.FileSystem.FileSystemStoreOptions { RootPath = Path.Combine(sp.GetRequiredService<IOptions<Archive.Hosting.ArchiveOptions>>().Value.DataPath!, "store"), Durability = durability },
                sp.GetService<Microsoft.Extensions.Logging.ILogger<Archive.Storage.FileSystem.FileSystemObjectStore>>()));
        }

        switch (Search)
        {
            case SearchProvider.Elasticsearch:
                builder.AddElasticsearchSearch(configuration.GetSection(ElasticsearchSection));
                break;
            case SearchProvider.None:
                builder.Services.Replace(ServiceDescriptor.Singleton<ISearchIndex, NoSearchIndex>());
                break;
        }

        builder.Services.AddSingleton(this);
        builder.Services.AddHealthChecks()
            .AddCheck<ServerStorageHealthCheck>("storage", tags: ["archive", "storage"])
            .AddCheck<ServerSearchHealthCheck>("search", tags: ["archive", "search"]);
        return builder;
    }

    /// <summary>
    /// The checks that need the built services, run after the host is built and before it starts (nothing listens,
    /// no background service runs, nothing is written): the providers' options, the store's capabilities for a shared
    /// deployment, and the bucket (reachable with the credentials, S3 Object Lock when required). Returns the reasons
    /// to refuse, each naming the key to change; empty when the server may start.
    /// </summary>
    public async Task<IReadOnlyList<string>> CheckAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        var errors = new List<string>();
        MinioStorageOptions? s3 = null;
        if (Storage == StorageProvider.S3)
        {
            try
            {
                s3 = services.GetRequiredService<IOptions<MinioStorageOptions>>().Value;
            }
            catch (OptionsValidationException e)
            {
                errors.AddRange(e.Failures.Select(f => Rename(f, nameof(MinioStorageOptions), S3Section)));
                if (e.Failures.Any(f => f.Contains(".AccessKey:", StringComparison.Ordinal) || f.Contains(".SecretKey:", StringComparison.Ordinal)))
                {
                    errors.Add($"{S3Section}: the credentials come from {S3Section}:AccessKey and :SecretKey (environment Archive__Storage__S3__SecretKey) or, when both are absent, from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.");
                }
            }
        }

        if (Search == SearchProvider.Elasticsearch)
        {
            try
            {
                _ = services.GetRequiredService<IOptions<ElasticsearchSearchOptions>>().Value;
            }
            catch (OptionsValidationException e)
            {
                errors.AddRange(e.Failures.Select(f => Rename(f, nameof(ElasticsearchSearchOptions), ElasticsearchSection)));
            }
        }

        if (errors.Count > 0)
        {
            return errors;
        }

        if (Shared && !services.GetRequiredService<IObjectStore>().Capabilities.HasFlag(ObjectStoreCapabilities.AtomicCreateOnly))
        {
            errors.Add($"{SharedKey}=true: the object store cannot create an object only if it is absent atomically (two hosts could both win a write claim): "
                + $"set {S3Section}:CoordinationBucket to an unversioned bucket.");
            return errors;
        }

        if (s3 is not null)
        {
            var store = services.GetRequiredService<MinioObjectStore>();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(BucketCheckTimeout);
            try
            {
                await store.EnsureReadyAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                errors.Add($"{S3Section}: the S3 server at {s3.Endpoint} did not answer within {BucketCheckTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s (check {S3Section}:Endpoint and :Secure).");
            }
#pragma warning disable CA1031 // Whatever the client throws (refused connection, TLS, signature), the server refuses to start with it.
            catch (Exception e) when (e is not OperationCanceledException)
#pragma warning restore CA1031
            {
                errors.Add($"{S3Section}: bucket '{s3.Bucket}' at {s3.Endpoint} cannot be used: {OptionNames().Replace(e.Message, S3Section + ":$1")} "
                    + $"(check {S3Section}:Endpoint, :Secure, :AccessKey, :SecretKey and :Bucket).");
            }
        }

        return errors;
    }

    /// <summary>What the storage is, for /health: provider and container.</summary>
    internal string DescribeStorage(IServiceProvider services)
    {
        if (Storage == StorageProvider.S3)
        {
            var o = services.GetRequiredService<IOptions<MinioStorageOptions>>().Value;
            return $"s3 bucket {o.Bucket}{(o.KeyPrefix.Length > 0 ? " prefix " + o.KeyPrefix : "")} at {(o.Secure ? "https" : "http")}://{o.Endpoint}";
        }

        return $"filesystem folder {services.GetRequiredService<IObjectStore>().ContainerName}";
    }

    /// <summary>What the search index is, for /health: provider and alias or folder.</summary>
    internal string DescribeSearch(IServiceProvider services)
    {
        switch (Search)
        {
            case SearchProvider.Elasticsearch:
                var o = services.GetRequiredService<IOptions<ElasticsearchSearchOptions>>().Value;
                var cluster = o.Urls.Count > 0 ? string.Join(", ", o.Urls) : "Elastic Cloud";
                return $"elasticsearch alias {o.IndexAlias} at {cluster}";
            case SearchProvider.None:
                return $"none: {NoSearchIndex.Reason}";
            default:
                var index = services.GetRequiredService<ISearchIndex>();
                return index.GetService<Archive.Search.Lucene.LuceneSearchIndex>() is { } lucene
                    ? $"lucene folder {lucene.RootPath}"
                    : $"{index.SystemName} index";
        }
    }

    private static TEnum Parse<TEnum>(IConfiguration configuration, string key, TEnum fallback, List<string> errors)
        where TEnum : struct, Enum
    {
        var text = configuration[key];
        if (string.IsNullOrWhiteSpace(text))
        {
            return fallback;
        }

        // Names only: a number would parse as any value.
        if (Enum.TryParse<TEnum>(text.Trim(), ignoreCase: true, out var value) && Enum.IsDefined(value) && !char.IsAsciiDigit(text.Trim()[0]))
        {
            return value;
        }

        errors.Add($"{key}: unknown provider '{text}'; one of {string.Join(", ", Enum.GetNames<TEnum>())}.");
        return fallback;
    }

    private static bool HasError(List<string> errors, string key) => errors.Exists(e => e.StartsWith(key + ":", StringComparison.Ordinal));

    /// <summary>"MinioStorageOptions.Bucket: ..." → "Archive:Storage:S3:Bucket: ..." (the key the operator sets).</summary>
    private static string Rename(string failure, string optionsName, string section)
        => failure.Replace(optionsName + ".", section + ":", StringComparison.Ordinal);

    /// <summary>Option names the store's own messages mention, qualified with the server's section.</summary>
    [GeneratedRegex(@"(?<![:\w])(RequireObjectLock|CreateBucket|CoordinationBucket)\b", RegexOptions.CultureInvariant)]
    private static partial Regex OptionNames();
}

/// <summary>The server's configuration cannot work; the message lists every reason, each naming its key.</summary>
internal sealed class ServerConfigurationException : Exception
{
    public ServerConfigurationException(IReadOnlyList<string> errors)
        : base(string.Join(Environment.NewLine, errors))
    {
        Errors = errors;
    }

    public IReadOnlyList<string> Errors { get; }
}

/// <summary>
/// /health entry <c>storage</c>: which store is in use (provider and bucket or folder) and, for S3, the bucket check
/// (reachable, S3 Object Lock when required: <see cref="MinioBucketHealthCheck"/>).
/// </summary>
internal sealed class ServerStorageHealthCheck(ServerProviders providers, IServiceProvider services) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var what = providers.DescribeStorage(services);
        if (providers.Storage != StorageProvider.S3)
        {
            return HealthCheckResult.Healthy(what);
        }

        var bucket = await new MinioBucketHealthCheck(services.GetRequiredService<MinioObjectStore>()).CheckHealthAsync(context, cancellationToken).ConfigureAwait(false);
        return new HealthCheckResult(bucket.Status, $"{what}: {bucket.Description}", bucket.Exception, bucket.Data);
    }
}

/// <summary>
/// /health entry <c>search</c>: which index is in use (provider and alias or folder) and, for Elasticsearch, the
/// cluster and alias check (<see cref="ElasticsearchSearchHealthCheck"/>).
/// </summary>
internal sealed class ServerSearchHealthCheck(ServerProviders providers, IServiceProvider services) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var what = providers.DescribeSearch(services);
        if (providers.Search != SearchProvider.Elasticsearch)
        {
            return HealthCheckResult.Healthy(what);
        }

        var cluster = await services.GetRequiredService<ElasticsearchSearchHealthCheck>().CheckHealthAsync(context, cancellationToken).ConfigureAwait(false);
        return new HealthCheckResult(cluster.Status, $"{what}: {cluster.Description}", cluster.Exception, cluster.Data);
    }
}

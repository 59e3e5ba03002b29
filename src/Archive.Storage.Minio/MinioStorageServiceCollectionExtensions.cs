using Archive;
using Archive.Storage;
using Archive.Storage.Minio;
using global::Minio;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the MinIO / S3 object store.</summary>
public static class MinioStorageServiceCollectionExtensions
{
    /// <summary>
    /// Uses an S3 bucket with S3 Object Lock as Archive's <see cref="IObjectStore"/> (replacing any store registered
    /// before: the last registration wins). When the host has registered an <see cref="IMinioClient"/> it is used (and
    /// not disposed); otherwise a client is built from the options on first use. Options are validated at start-up.
    /// </summary>
    /// <param name="builder">The Archive builder.</param>
    /// <param name="configure">Sets the options (endpoint, credentials, bucket, ...).</param>
    public static IArchiveBuilder AddMinioStorage(this IArchiveBuilder builder, Action<MinioStorageOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var services = builder.Services;

        services.AddOptionsWithValidateOnStart<MinioStorageOptions, MinioStorageOptionsValidator>()
            .Configure(configure)
            .PostConfigure<IServiceProviderIsService>((o, container) => o.HostSuppliesClient = container.IsService(typeof(IMinioClient)));

        // Nothing is resolved or built here (no BuildServiceProvider during registration): the client is looked up
        // when the store is first resolved, and built lazily by the store when the host supplied none.
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<MinioStorageOptions>>().Value;
            var hostClient = sp.GetService<IMinioClient>();
            return new MinioObjectStore(hostClient, options, TimeProvider.System, sp.GetService<ILogger<MinioObjectStore>>());
        });
        services.Replace(ServiceDescriptor.Singleton<IObjectStore>(sp =>
        {
            var store = sp.GetRequiredService<MinioObjectStore>();
            var options = sp.GetRequiredService<IOptions<MinioStorageOptions>>().Value;
            if (options.CoordinationBucket is null)
            {
                return store;
            }

            // Several hosts on a bucket whose server ignores If-None-Match: create-only writes are claimed first in
            // the coordination bucket (checked unversioned and honouring the condition before its first use).
            var claims = new MinioObjectStore(sp.GetService<IMinioClient>(), options.ForCoordination(), TimeProvider.System, sp.GetService<ILogger<MinioObjectStore>>());
            return new CoordinatedObjectStore(store, claims, disposeClaims: true);
        }));
        return builder;
    }

    /// <summary>
    /// Uses an S3 bucket as <see cref="AddMinioStorage(IArchiveBuilder, Action{MinioStorageOptions})"/> does, with the
    /// options bound from a configuration section — the keys are the option names (<c>Endpoint</c>, <c>AccessKey</c>,
    /// <c>SecretKey</c>, <c>Secure</c>, <c>Region</c>, <c>Bucket</c>, <c>KeyPrefix</c>, <c>RequireObjectLock</c>,
    /// <c>CoordinationBucket</c>, ...), as the standalone server's <c>Archive:Storage:S3</c>. When the section gives
    /// neither <c>AccessKey</c> nor <c>SecretKey</c>, the standard environment variables <c>AWS_ACCESS_KEY_ID</c> and
    /// <c>AWS_SECRET_ACCESS_KEY</c> are used.
    /// </summary>
    /// <param name="builder">The Archive builder.</param>
    /// <param name="configuration">The section holding the options (e.g. <c>configuration.GetSection("Archive:Storage:S3")</c>).</param>
    /// <param name="configure">Changes applied after binding, or none.</param>
    public static IArchiveBuilder AddMinioStorage(this IArchiveBuilder builder, IConfiguration configuration, Action<MinioStorageOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return builder.AddMinioStorage(o =>
        {
            BindOptions(o, configuration);
            configure?.Invoke(o);
        });
    }

    /// <summary>Binds the options from a section, with the <c>AWS_ACCESS_KEY_ID</c> / <c>AWS_SECRET_ACCESS_KEY</c> fallback for the credentials.</summary>
    private static void BindOptions(MinioStorageOptions options, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(configuration);
        configuration.Bind(options);
        if (string.IsNullOrEmpty(options.AccessKey) && string.IsNullOrEmpty(options.SecretKey))
        {
            options.AccessKey = Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID");
            options.SecretKey = Environment.GetEnvironmentVariable("AWS_SECRET_ACCESS_KEY");
        }
    }

    /// <summary>
    /// Adds a health check of the bucket used by <see cref="MinioObjectStore"/> (reachable, and with S3 Object Lock
    /// unless <see cref="MinioStorageOptions.RequireObjectLock"/> is off). Register the store with
    /// <see cref="AddMinioStorage(IArchiveBuilder, Action{MinioStorageOptions})"/>.
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="name">Name of the check (default <c>archive-minio</c>).</param>
    /// <param name="failureStatus">Status reported on failure (default <see cref="HealthStatus.Unhealthy"/>).</param>
    /// <param name="tags">Tags to filter checks.</param>
    /// <param name="timeout">Time allowed for the check (default 10 seconds).</param>
    public static IHealthChecksBuilder AddArchiveMinio(this IHealthChecksBuilder builder, string name = "archive-minio", HealthStatus? failureStatus = null, IEnumerable<string>? tags = null, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Add(new HealthCheckRegistration(
            name,
            sp => new MinioBucketHealthCheck(sp.GetRequiredService<MinioObjectStore>()),
            failureStatus,
            tags,
            timeout ?? TimeSpan.FromSeconds(10)));
    }
}

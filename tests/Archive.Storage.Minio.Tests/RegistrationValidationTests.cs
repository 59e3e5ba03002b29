using Archive.Storage.Minio;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Minio;

namespace Archive.Storage.Minio.Tests;

/// <summary>Registration and option validation (no server needed).</summary>
public sealed class RegistrationValidationTests
{
    private sealed class Builder(IServiceCollection services) : IArchiveBuilder
    {
        public IServiceCollection Services { get; } = services;
    }

    [Fact]
    public void Registration_builds_nothing_and_resolves_lazily()
    {
        var services = new ServiceCollection();
        var built = 0;
        services.AddSingleton<IMinioClient>(_ =>
        {
            built++;
            return new Mock<IMinioClient>().Object;
        });
        new Builder(services).AddMinioStorage(o => o.Bucket = "archive");
        Assert.Equal(0, built);
        Assert.Contains(services, d => d.ServiceType == typeof(IObjectStore));

        using var provider = services.BuildServiceProvider();
        Assert.Equal(0, built);
        Assert.IsType<MinioObjectStore>(provider.GetRequiredService<IObjectStore>());
        Assert.Equal(1, built);
    }

    [Fact]
    public void The_configuration_overload_binds_the_section_keys_as_the_server_does()
    {
        var section = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Archive:Storage:S3:Endpoint"] = "ceph.internal:7480",
            ["Archive:Storage:S3:AccessKey"] = "access",
            ["Archive:Storage:S3:SecretKey"] = "secret",
            ["Archive:Storage:S3:Secure"] = "false",
            ["Archive:Storage:S3:Region"] = "vn-north-1",
            ["Archive:Storage:S3:Bucket"] = "archive-prod",
            ["Archive:Storage:S3:KeyPrefix"] = "so-noi-vu/",
            ["Archive:Storage:S3:RequireObjectLock"] = "false",
            ["Archive:Storage:S3:CoordinationBucket"] = "archive-claims",
            ["Archive:Storage:S3:ReadRetries"] = "5",
        }).Build().GetSection("Archive:Storage:S3");
        var services = new ServiceCollection();
        new Builder(services).AddMinioStorage(section, o => o.ReadRetries++);

        using var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<IOptions<MinioStorageOptions>>().Value;
        Assert.Equal(("ceph.internal:7480", "access", "secret", false, "vn-north-1"), (options.Endpoint, options.AccessKey, options.SecretKey, options.Secure, options.Region));
        Assert.Equal(("archive-prod", "so-noi-vu/", false, "archive-claims", 6), (options.Bucket, options.KeyPrefix, options.RequireObjectLock, options.CoordinationBucket, options.ReadRetries));
        // With a coordination bucket the store is wrapped: create-only writes are claimed in that bucket first.
        var store = Assert.IsType<CoordinatedObjectStore>(provider.GetRequiredService<IObjectStore>());
        Assert.Equal("archive-prod", store.ContainerName);
        Assert.True(store.Capabilities.HasFlag(ObjectStoreCapabilities.AtomicCreateOnly));
        var claims = Assert.IsType<MinioObjectStore>(store.Claims);
        Assert.Equal("archive-claims", claims.ContainerName);
        Assert.Same(provider.GetRequiredService<MinioObjectStore>(), store.GetService<MinioObjectStore>());
    }

    [Fact]
    public void The_last_registration_wins()
    {
        var services = new ServiceCollection();
        var other = new Mock<IObjectStore>().Object;
        new Builder(services).AddMinioStorage(o => { o.Bucket = "archive"; o.Endpoint = "localhost:9000"; o.AccessKey = "a"; o.SecretKey = "b"; });
        services.AddSingleton(other);
        using (var provider = services.BuildServiceProvider())
        {
            Assert.Same(other, provider.GetRequiredService<IObjectStore>());
        }

        services.Replace(ServiceDescriptor.Singleton(other));
        new Builder(services).AddMinioStorage(o => { });
        using var provider2 = services.BuildServiceProvider();
        Assert.IsType<MinioObjectStore>(provider2.GetRequiredService<IObjectStore>());
    }

    [Fact]
    public void Invalid_options_fail_at_start_up_naming_each_option()
    {
        var services = new ServiceCollection();
        new Builder(services).AddMinioStorage(o =>
        {
            o.Endpoint = "https://minio:9000";
            o.Bucket = "Not_A_Bucket";
            o.KeyPrefix = "archive";
            o.DefaultRetentionDays = 0;
        });
        using var provider = services.BuildServiceProvider();
        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());
        var message = string.Join("\n", ex.Failures);
        Assert.Contains("MinioStorageOptions.Endpoint", message, StringComparison.Ordinal);
        Assert.Contains("minio.endpoint.format", message, StringComparison.Ordinal);
        Assert.Contains("minio.credentials.required", message, StringComparison.Ordinal);
        Assert.Contains("minio.bucket.format", message, StringComparison.Ordinal);
        Assert.Contains("minio.key-prefix.trailing-slash", message, StringComparison.Ordinal);
        Assert.Contains("minio.default-retention.range", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("archive", true)]
    [InlineData("my.archive-01", true)]
    [InlineData("ab", false)]
    [InlineData("-archive", false)]
    [InlineData("archive..x", false)]
    [InlineData("192.168.1.1", false)]
    [InlineData("Archive", false)]
    public void Bucket_names_follow_the_S3_rules(string bucket, bool valid)
    {
        var errors = MinioStorageOptionsValidator.Errors(new MinioStorageOptions { Bucket = bucket }, hostSuppliesClient: true);
        Assert.Equal(valid, errors.Count == 0);
    }

    [Theory]
    [InlineData("archive/", true)]
    [InlineData("kho lưu trữ/2024/", true)]
    [InlineData("a/../", false)]
    [InlineData("/abs/", false)]
    [InlineData("no-slash", false)]
    public void Key_prefixes_follow_the_key_rules(string prefix, bool valid)
    {
        var errors = MinioStorageOptionsValidator.Errors(new MinioStorageOptions { Bucket = "archive", KeyPrefix = prefix }, hostSuppliesClient: true);
        Assert.Equal(valid, errors.Count == 0);
    }

    [Fact]
    public void The_store_constructor_validates_too()
        => Assert.Throws<OptionsValidationException>(() => new MinioObjectStore(new MinioStorageOptions { Bucket = "archive" }));

    [Fact]
    public void Secure_is_the_default()
        => Assert.True(new MinioStorageOptions().Secure);
}

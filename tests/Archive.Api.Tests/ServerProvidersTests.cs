using System.Text.Json.Nodes;
using Archive.Api.Security;
using Archive.Api.Tests.Support;
using Archive.Security;
using Archive.Storage.Minio.Tests;
using Microsoft.AspNetCore.Hosting;
using Minio.DataModel.Args;
using Xunit;
using static Archive.Api.Tests.Support.Api;

namespace Archive.Api.Tests;

/// <summary>
/// Providers chosen by configuration in the standalone server (ServerProviders.cs), on real <c>Archive.Server</c>
/// processes: <c>Archive:Storage:Provider=S3</c> against the test S3 server (Ceph RADOS Gateway, ARCHIVE_S3_*; skips
/// locally without it and fails under CI=true), and the refusals before the server listens — each exits with
/// code 78 and a message naming the key, having written nothing.
/// </summary>
public sealed class ServerProvidersTests(S3ServerFixture s3) : IClassFixture<S3ServerFixture>, IDisposable
{
    private const int Refused = 78;
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(60);
    private readonly string _root = Path.Combine(Path.GetTempPath(), "archive-providers-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    [Fact]
    public async Task S3_server_names_its_bucket_in_health_writes_record_files_into_it_and_makes_no_store_folder()
    {
        s3.Require();
        var bucket = S3ServerFixture.NewBucketName("srv");
        await s3.Client.MakeBucketAsync(new MakeBucketArgs().WithBucket(bucket).WithObjectLock(), Ct);
        var data = Path.Combine(_root, "data");
        var key = ApiKeyStore.NewKey();
        // Credentials from the standard AWS variables (no Archive:Storage:S3:AccessKey/SecretKey given).
        var environment = S3Environment(bucket, credentials: false);
        environment["AWS_ACCESS_KEY_ID"] = s3.AccessKey;
        environment["AWS_SECRET_ACCESS_KEY"] = s3.SecretKey;
        environment["Archive__Auth__ApiKeys__0__Name"] = "ops";
        environment["Archive__Auth__ApiKeys__0__KeyHash"] = ApiKeyStore.Hash(key);
        environment["Archive__Auth__ApiKeys__0__Roles"] = ArchiveRoles.Administrator;
        await using var server = await ServerProcess.StartAsync(data, environment, Ct);
        using var http = new HttpClient { BaseAddress = new Uri(server.BaseUrl) };
        http.DefaultRequestHeaders.Add("X-Api-Key", key);

        var health = JsonNode.Parse(await http.GetStringAsync(new Uri("/health", UriKind.Relative), Ct))!;
        Assert.Equal("Healthy", (string?)health["status"]);
        var storage = health["checks"]!["storage"]!;
        Assert.Equal("Healthy", (string?)storage["status"]);
        Assert.Equal($"s3 bucket {bucket} at http://{s3.Endpoint}: bucket reachable, object lock enabled", (string?)storage["description"]);
        Assert.Equal($"lucene folder {Path.Combine(data, "index")}", (string?)health["checks"]!["search"]!["description"]);
        Assert.Equal("s3 store answers.", (string?)health["checks"]!["archive-storage"]!["description"]);

        var before = await KeysAsync(bucket);
        var (_, fondsCode) = await SeedAsync(http);
        var fileCode = await CreateRecordFileAsync(http, fondsCode, "07.VP");
        await http.GetAsync(new Uri($"{ApiFactory.Prefix}/record-files/{Uri.EscapeDataString(fileCode)}", UriKind.Relative), Ct).ExpectAsync(200);
        var written = (await KeysAsync(bucket)).Except(before).ToList();
        Assert.Contains(written, k => k.StartsWith("ocfl/", StringComparison.Ordinal) && k.EndsWith("/inventory.json", StringComparison.Ordinal));

        Assert.False(Directory.Exists(Path.Combine(data, "store")), "The S3 server made DataPath/store");
        Assert.True(Directory.Exists(Path.Combine(data, "index")));
    }

    [Fact]
    public async Task Two_servers_on_their_own_data_folders_share_one_bucket()
    {
        // The data folder's lock guards that folder only: nothing stops a second host on the same bucket.
        s3.Require();
        var bucket = S3ServerFixture.NewBucketName("two");
        await s3.Client.MakeBucketAsync(new MakeBucketArgs().WithBucket(bucket).WithObjectLock(), Ct);
        var key = ApiKeyStore.NewKey();
        var environment = S3Environment(bucket, credentials: true);
        environment["Archive__Auth__ApiKeys__0__Name"] = "ops";
        environment["Archive__Auth__ApiKeys__0__KeyHash"] = ApiKeyStore.Hash(key);
        environment["Archive__Auth__ApiKeys__0__Roles"] = ArchiveRoles.Administrator;
        await using var first = await ServerProcess.StartAsync(Path.Combine(_root, "first"), environment, Ct);
        await using var second = await ServerProcess.StartAsync(Path.Combine(_root, "second"), environment, Ct);
        using var one = new HttpClient { BaseAddress = new Uri(first.BaseUrl) };
        using var two = new HttpClient { BaseAddress = new Uri(second.BaseUrl) };
        one.DefaultRequestHeaders.Add("X-Api-Key", key);
        two.DefaultRequestHeaders.Add("X-Api-Key", key);

        var (_, fondsCode) = await SeedAsync(one);
        var fileCode = await CreateRecordFileAsync(one, fondsCode, "08.VP");
        var read = await two.GetAsync(new Uri($"{ApiFactory.Prefix}/record-files/{Uri.EscapeDataString(fileCode)}", UriKind.Relative), Ct).ExpectAsync(200);
        Assert.Equal(fileCode, (string?)read["fileCode"]);
        Assert.False(first.Process.HasExited || second.Process.HasExited);
    }

    [Fact]
    public async Task S3_server_with_a_wrong_secret_key_refuses_to_start_naming_the_option()
    {
        s3.Require();
        var environment = S3Environment(s3.Bucket, credentials: true);
        environment["Archive__Storage__S3__SecretKey"] = "not-the-" + s3.SecretKey;
        var (code, log) = await RunToExitAsync(environment);

        Assert.True(code == Refused, $"exit {code}:\n{log}");
        Assert.Contains($"Archive:Storage:S3: bucket '{s3.Bucket}' at {s3.Endpoint} cannot be used", log, StringComparison.Ordinal);
        Assert.Contains("access denied", log, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Archive:Storage:S3:Endpoint, :Secure, :AccessKey, :SecretKey and :Bucket", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task S3_server_on_a_bucket_without_object_lock_refuses_to_start_naming_RequireObjectLock_and_writes_nothing()
    {
        s3.Require();
        var bucket = S3ServerFixture.NewBucketName("nolock");
        await s3.Client.MakeBucketAsync(new MakeBucketArgs().WithBucket(bucket), Ct);
        var (code, log) = await RunToExitAsync(S3Environment(bucket, credentials: true));

        Assert.True(code == Refused, $"exit {code}:\n{log}");
        Assert.Contains("has no S3 Object Lock", log, StringComparison.Ordinal);
        Assert.Contains("Archive:Storage:S3:RequireObjectLock=false", log, StringComparison.Ordinal);
        Assert.Empty(await KeysAsync(bucket));
    }

    [Fact]
    public async Task Shared_hosts_with_the_embedded_index_refuse_to_start_naming_Archive_Search_Provider()
    {
        // Refused when the configuration is read: no S3 server is needed, nothing is contacted or written.
        var environment = S3Environment("archive-never-used", credentials: true, endpoint: "127.0.0.1:9");
        environment["Archive__Hosts__Shared"] = "true";
        var (code, log) = await RunToExitAsync(environment);

        Assert.True(code == Refused, $"exit {code}:\n{log}");
        Assert.Contains("Archive:Hosts:Shared=true: an embedded per-host index cannot serve several hosts: set Archive:Search:Provider=Elasticsearch (or None).", log, StringComparison.Ordinal);
        Assert.DoesNotContain("Archive:Storage:Provider=S3", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Shared_hosts_on_the_folder_store_refuse_to_start_naming_Archive_Storage_Provider()
    {
        var (code, log) = await RunToExitAsync(new() { ["Archive__Hosts__Shared"] = "true", ["Archive__Search__Provider"] = "None" });

        Assert.True(code == Refused, $"exit {code}:\n{log}");
        Assert.Contains("Archive:Hosts:Shared=true needs Archive:Storage:Provider=S3", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Shared_hosts_on_a_store_without_atomic_create_only_refuse_to_start_naming_CoordinationBucket()
    {
        // The S3 store reports no AtomicCreateOnly without a coordination bucket; checked before the bucket is contacted.
        var environment = S3Environment("archive-never-used", credentials: true, endpoint: "127.0.0.1:9");
        environment["Archive__Hosts__Shared"] = "true";
        environment["Archive__Search__Provider"] = "None";
        var (code, log) = await RunToExitAsync(environment);

        Assert.True(code == Refused, $"exit {code}:\n{log}");
        Assert.Contains("set Archive:Storage:S3:CoordinationBucket to an unversioned bucket", log, StringComparison.Ordinal);
        Assert.DoesNotContain("cannot be used", log, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Archive__Storage__Provider", "Ceph", "Archive:Storage:Provider: unknown provider 'Ceph'; one of FileSystem, S3.")]
    [InlineData("Archive__Storage__Provider", "1", "Archive:Storage:Provider: unknown provider '1'; one of FileSystem, S3.")]
    [InlineData("Archive__Search__Provider", "Solr", "Archive:Search:Provider: unknown provider 'Solr'; one of Lucene, Elasticsearch, None.")]
    [InlineData("Archive__Hosts__Shared", "yes", "Archive:Hosts:Shared: 'yes' is neither true nor false.")]
    [InlineData("Archive__Storage__FileSystem__Durability", "fast", "Archive:Storage:FileSystem:Durability: 'fast' is not one of Fsync, GroupSync.")]
    [InlineData("Archive__Storage__FileSystem__Durability", "1", "Archive:Storage:FileSystem:Durability: '1' is not one of Fsync, GroupSync.")]
    public async Task An_unknown_provider_refuses_to_start_naming_the_key(string variable, string value, string message)
    {
        var (code, log) = await RunToExitAsync(new() { [variable] = value });

        Assert.True(code == Refused, $"exit {code}:\n{log}");
        Assert.Contains(message, log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task S3_without_endpoint_bucket_or_credentials_refuses_to_start_naming_each_key()
    {
        var (code, log) = await RunToExitAsync(new() { ["Archive__Storage__Provider"] = "S3", ["AWS_ACCESS_KEY_ID"] = "", ["AWS_SECRET_ACCESS_KEY"] = "" });

        Assert.True(code == Refused, $"exit {code}:\n{log}");
        Assert.Contains("Archive:Storage:S3:Endpoint: the server address (host:port) is required", log, StringComparison.Ordinal);
        Assert.Contains("Archive:Storage:S3:Bucket: the bucket name is required", log, StringComparison.Ordinal);
        Assert.Contains("Archive:Storage:S3:SecretKey: the secret key is required", log, StringComparison.Ordinal);
        Assert.Contains("from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY", log, StringComparison.Ordinal);
    }

    /// <summary>Environment of a server on the S3 provider (the test server's endpoint unless given).</summary>
    private Dictionary<string, string> S3Environment(string bucket, bool credentials, string? endpoint = null)
    {
        var environment = new Dictionary<string, string>
        {
            ["Archive__Storage__Provider"] = "S3",
            ["Archive__Storage__S3__Endpoint"] = endpoint ?? s3.Endpoint,
            ["Archive__Storage__S3__Secure"] = s3.Secure ? "true" : "false",
            ["Archive__Storage__S3__Bucket"] = bucket,
        };
        if (credentials)
        {
            environment["Archive__Storage__S3__AccessKey"] = s3.AccessKey.Length > 0 ? s3.AccessKey : "test-access";
            environment["Archive__Storage__S3__SecretKey"] = s3.SecretKey.Length > 0 ? s3.SecretKey : "test-secret";
        }

        return environment;
    }

    /// <summary>Runs a server expected to refuse to start; returns its exit code and output, and checks it wrote nothing in its data folder.</summary>
    private async Task<(int Code, string Log)> RunToExitAsync(Dictionary<string, string> environment)
    {
        var data = Path.Combine(_root, "refused-" + Guid.NewGuid().ToString("N")[..6]);
        await using var server = ServerProcess.Launch(data, environment);
        var code = await server.WaitForExitAsync(ExitTimeout, Ct);
        Assert.False(Directory.Exists(data), $"The refusing server created its data folder: {string.Join(", ", Directory.Exists(data) ? Directory.EnumerateFileSystemEntries(data) : [])}\n{server.Log}");
        return (code, server.Log);
    }

    private async Task<List<string>> KeysAsync(string bucket)
    {
        var keys = new List<string>();
        await foreach (var item in s3.Client.ListObjectsEnumAsync(new ListObjectsArgs().WithBucket(bucket).WithRecursive(true), Ct))
        {
            keys.Add(item.Key);
        }

        return keys;
    }
}

/// <summary>
/// <c>Archive:Search:Provider=None</c> (a host that keeps no search index): searches answer a 503 problem
/// <c>search.unavailable</c> naming the setting, writes succeed, /health stays healthy and says so, and no index folder
/// is made.
/// </summary>
public sealed class NoSearchIndexTests(NoSearchIndexTests.Factory factory) : IClassFixture<NoSearchIndexTests.Factory>
{
    [Fact]
    public async Task Searches_answer_503_search_unavailable_naming_the_setting_while_writes_succeed()
    {
        var client = factory.CreateClient();
        var (_, fondsCode) = await SeedAsync(client);
        var fileCode = await CreateRecordFileAsync(client, fondsCode, "02.VP");
        await client.GetAsync($"{ApiFactory.Prefix}/record-files/{Uri.EscapeDataString(fileCode)}", Ct).ExpectAsync(200);

        var problem = await client.GetAsync($"{ApiFactory.Prefix}/search?q=tuyen+dung", Ct).ExpectProblemAsync(503, "search", "search.unavailable");
        Assert.Equal("urn:archive:problem:search.unavailable", (string?)problem["type"]);
        Assert.Contains("Archive:Search:Provider=None", (string?)problem["detail"], StringComparison.Ordinal);
        Assert.Contains("reindex", (string?)problem["detail"], StringComparison.Ordinal);

        var health = await client.GetAsync("/health", Ct).ExpectAsync(200);
        Assert.Equal("Healthy", (string?)health["status"]);
        Assert.StartsWith("none: This host keeps no search index", (string?)health["checks"]!["search"]!["description"], StringComparison.Ordinal);
        Assert.StartsWith("none: This host keeps no search index", (string?)health["checks"]!["archive-search"]!["description"], StringComparison.Ordinal);
        Assert.Equal($"filesystem folder {Path.Combine(factory.DataPath, "store")}", (string?)health["checks"]!["storage"]!["description"]);
        Assert.False(Directory.Exists(Path.Combine(factory.DataPath, "index")), "A host without search index made DataPath/index");
    }

    public sealed class Factory : ApiFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Archive:Search:Provider", "None");
        }
    }
}

/// <summary><c>Archive:Storage:FileSystem:Durability</c> chooses how the standalone server's folder store makes writes durable.</summary>
public sealed class FolderDurabilityTests(FolderDurabilityTests.Factory factory) : IClassFixture<FolderDurabilityTests.Factory>
{
    [Fact]
    public async Task The_folder_store_uses_the_configured_group_sync_and_serves_writes()
    {
        var store = Assert.IsType<Archive.Storage.FileSystem.FileSystemObjectStore>(factory.Services.GetService(typeof(Archive.Storage.IObjectStore)));
        Assert.Equal(Archive.Storage.FileSystem.FileSystemDurability.GroupSync, store.Durability);
        Assert.Equal(Path.Combine(factory.DataPath, "store"), store.RootPath);

        var client = factory.CreateClient();
        var (_, fondsCode) = await SeedAsync(client);
        var fileCode = await CreateRecordFileAsync(client, fondsCode, "01.NHOM");
        await client.GetAsync(FileUrl(fileCode), Ct).ExpectAsync(200);
        Assert.True(store.GroupSyncFlushes > 0);
    }

    public sealed class Factory : ApiFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Archive:Storage:FileSystem:Durability", "groupsync");
        }
    }
}

using System.Globalization;
using System.Text;
using Archive.Storage;
using Xunit;

namespace Archive.Testing.Storage;

/// <summary>
/// The contract of <see cref="IObjectStore"/>, run against every provider. A provider's test project subclasses
/// this class, implements <see cref="CreateStoreAsync"/> and overrides the capability flags that differ.
/// </summary>
/// <remarks>
/// xunit creates one instance per test: <see cref="CreateStoreAsync"/> runs once per test. Every key a test writes
/// lies under <see cref="Root"/>, a prefix unique to the test, so a provider may hand out one shared store (e.g.
/// one bucket per class) as long as nothing else writes under the test's prefix.
/// </remarks>
public abstract class ObjectStoreConformanceTests : IAsyncLifetime
{
    private IObjectStore? _store;

    /// <summary>Creates (or hands out) the store under test.</summary>
    protected abstract ValueTask<IObjectStore> CreateStoreAsync();

    /// <summary>Releases the store after a test; by default disposes it when it is disposable.</summary>
    protected virtual async ValueTask DisposeStoreAsync(IObjectStore store)
    {
        switch (store)
        {
            case IAsyncDisposable a:
                await a.DisposeAsync();
                break;
            case IDisposable d:
                d.Dispose();
                break;
        }
    }

    /// <summary>Whether the store offers <see cref="IObjectRetentionStore"/> (through <see cref="IObjectStore.GetService"/>).</summary>
    protected virtual bool SupportsRetention => false;

    /// <summary>The enforcement the store must report when it supports retention.</summary>
    protected virtual RetentionEnforcement? ExpectedEnforcement => null;

    /// <summary>Whether the store offers <see cref="IObjectBatchStore"/> (through <see cref="IObjectStore.GetService"/>).</summary>
    protected virtual bool SupportsOrderedBatch => false;

    /// <summary>Whether the store offers <see cref="IObjectStagingStore"/> (through <see cref="IObjectStore.GetService"/>).</summary>
    protected virtual bool SupportsStaging => false;

    /// <summary>Capabilities the store must report (at least these flags).</summary>
    protected virtual ObjectStoreCapabilities ExpectedCapabilities => ObjectStoreCapabilities.None;

    /// <summary>Size of the large streamed object (64 MiB by default).</summary>
    protected virtual long LargeObjectLength => 64L * 1024 * 1024;

    /// <summary>
    /// How far in the future the retention tests set retain-until dates. On a WORM store the test objects cannot
    /// be removed before then, so keep it short; it must comfortably exceed one test's run time.
    /// </summary>
    protected virtual TimeSpan RetentionWindow => TimeSpan.FromMinutes(2);

    /// <summary>Called after writes and before listings, for stores whose listings are eventually consistent.</summary>
    protected virtual ValueTask WaitForConsistencyAsync() => ValueTask.CompletedTask;

    /// <summary>The store under test (created before each test).</summary>
    protected IObjectStore Store => _store ?? throw new InvalidOperationException("The store is not created yet.");

    /// <summary>A prefix unique to this test, ending in '/'.</summary>
    protected string Root { get; } = "t" + Guid.NewGuid().ToString("N")[..12] + "/";

    /// <summary>The test's cancellation token.</summary>
    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <inheritdoc />
    public virtual async ValueTask InitializeAsync() => _store = await CreateStoreAsync();

    /// <inheritdoc />
    public virtual async ValueTask DisposeAsync()
    {
        if (_store is not null)
        {
            await DisposeStoreAsync(_store);
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>Writes a small object from bytes through a non-seekable stream.</summary>
    protected async Task<ObjectInfo> PutAsync(string key, byte[] bytes, PutObjectOptions? options = null)
    {
        using var stream = new NonSeekableStream(bytes);
        return await Store.PutAsync(key, stream, options, Ct);
    }

    /// <summary>Reads a whole (small) object; null when absent.</summary>
    protected async Task<byte[]?> ReadAsync(string key, ByteRange? range = null)
    {
        await using var content = await Store.GetAsync(key, range, Ct);
        return content is null ? null : await StreamAssert.ReadAllAsync(content.Stream, Ct);
    }

    private static byte[] Bytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    // ---------------------------------------------------------------- round trips

    /// <summary>Binary content round trips with digest and length.</summary>
    [Fact]
    public async Task Binary_content_round_trips_with_digest_and_length()
    {
        var bytes = Bytes(100_003, 1);
        var key = Root + "binary/data.bin";
        var info = await PutAsync(key, bytes, new PutObjectOptions { ContentType = "application/octet-stream" });

        Assert.Equal(key, info.Key);
        Assert.Equal(bytes.Length, info.Length);
        Assert.Equal(StreamAssert.Sha256(bytes), info.Sha256);
        Assert.False(string.IsNullOrEmpty(info.ETag));

        await using var content = await Store.GetAsync(key, cancellationToken: Ct);
        Assert.NotNull(content);
        Assert.Equal(bytes.Length, content.Info.Length);
        Assert.Null(content.Range);
        Assert.Equal(bytes, await StreamAssert.ReadAllAsync(content.Stream, Ct));

        var stat = await Store.StatAsync(key, Ct);
        Assert.NotNull(stat);
        Assert.Equal(bytes.Length, stat.Length);
        Assert.Equal(info.ETag, stat.ETag);
        Assert.Equal("application/octet-stream", stat.ContentType);
        Assert.True(stat.Sha256 is null || stat.Sha256 == info.Sha256);
    }

    /// <summary>Vietnamese key round trips and decomposed form names the same object.</summary>
    [Fact]
    public async Task Vietnamese_key_round_trips_and_decomposed_form_names_the_same_object()
    {
        var composed = Root + "Hồ sơ lưu trữ/Quyết định số 12-QĐ.pdf";
        var decomposed = composed.Normalize(NormalizationForm.FormD);
        Assert.NotEqual(composed, decomposed);
        var bytes = Encoding.UTF8.GetBytes("Nội dung văn bản: Ủy ban nhân dân tỉnh Thừa Thiên Huế");

        var info = await PutAsync(decomposed, bytes);
        Assert.Equal(composed, info.Key);

        Assert.Equal(bytes, await ReadAsync(composed));
        Assert.Equal(bytes, await ReadAsync(decomposed));
        Assert.Equal(composed, (await Store.StatAsync(decomposed, Ct))?.Key);

        await WaitForConsistencyAsync();
        var page = await Store.ListPageAsync(Root, cancellationToken: Ct);
        Assert.Equal([composed], page.Items.Select(i => i.Key));
        var byDecomposedPrefix = await Store.ListPageAsync((Root + "Hồ sơ").Normalize(NormalizationForm.FormD), cancellationToken: Ct);
        Assert.Equal([composed], byDecomposedPrefix.Items.Select(i => i.Key));
    }

    /// <summary>Empty object round trips.</summary>
    [Fact]
    public async Task Empty_object_round_trips()
    {
        var key = Root + "empty";
        var info = await PutAsync(key, []);
        Assert.Equal(0, info.Length);
        Assert.Equal(StreamAssert.Sha256([]), info.Sha256);
        Assert.Equal(Array.Empty<byte>(), await ReadAsync(key));
        Assert.Equal(0, (await Store.StatAsync(key, Ct))?.Length);

        await using var ranged = await Store.GetAsync(key, new ByteRange(0), Ct);
        Assert.NotNull(ranged);
        Assert.Equal(new ByteRange(0, 0), ranged.Range);
        Assert.Equal(Array.Empty<byte>(), await StreamAssert.ReadAllAsync(ranged.Stream, Ct));
    }

    /// <summary>Large content streams from a non seekable source.</summary>
    [Fact]
    public async Task Large_content_streams_from_a_non_seekable_source()
    {
        var key = Root + "large.bin";
        using var source = new GeneratedStream(LargeObjectLength, 42);
        var info = await Store.PutAsync(key, source, new PutObjectOptions { ExpectedLength = LargeObjectLength }, Ct);
        Assert.Equal(LargeObjectLength, info.Length);
        Assert.Equal(source.Sha256, info.Sha256);

        await using var content = await Store.GetAsync(key, cancellationToken: Ct);
        Assert.NotNull(content);
        var (sha, length) = await StreamAssert.HashAsync(content.Stream, Ct);
        Assert.Equal(LargeObjectLength, length);
        Assert.Equal(source.Sha256, sha);
    }

    /// <summary>Unknown length stream is stored and expected digest accepted.</summary>
    [Fact]
    public async Task Unknown_length_stream_is_stored_and_expected_digest_accepted()
    {
        const long length = 1024 * 1024 + 17;
        var expected = GeneratedStream.ComputeSha256(length, 7);
        var key = Root + "unknown-length";
        using var source = new GeneratedStream(length, 7);
        var info = await Store.PutAsync(key, source, new PutObjectOptions { ExpectedSha256 = expected.ToUpperInvariant() }, Ct);
        Assert.Equal(length, info.Length);
        Assert.Equal(expected, info.Sha256);

        await using var content = await Store.GetAsync(key, cancellationToken: Ct);
        Assert.NotNull(content);
        Assert.Equal((expected, length), await StreamAssert.HashAsync(content.Stream, Ct));
    }

    /// <summary>Overwrite replaces content and changes etag.</summary>
    [Fact]
    public async Task Overwrite_replaces_content_and_changes_etag()
    {
        var key = Root + "doc.txt";
        var first = await PutAsync(key, Encoding.UTF8.GetBytes("phiên bản 1"));
        var second = await PutAsync(key, Encoding.UTF8.GetBytes("phiên bản 2 dài hơn"));
        Assert.NotEqual(first.ETag, second.ETag);
        Assert.Equal("phiên bản 2 dài hơn", Encoding.UTF8.GetString((await ReadAsync(key))!));
        Assert.Equal(second.ETag, (await Store.StatAsync(key, Ct))?.ETag);
    }

    /// <summary>Metadata with vietnamese values round trips.</summary>
    [Fact]
    public async Task Metadata_with_vietnamese_values_round_trips()
    {
        var key = Root + "meta.pdf";
        var metadata = new Dictionary<string, string>
        {
            ["title"] = "Công văn về việc lập hồ sơ điện tử",
            ["agency-code"] = "G09.2010",
            ["note"] = "Độ mật: Mật; ký hiệu 12/2024/QĐ-UBND",
        };
        await PutAsync(key, [1, 2, 3], new PutObjectOptions { ContentType = "application/pdf", Metadata = metadata });

        var stat = await Store.StatAsync(key, Ct);
        Assert.NotNull(stat);
        Assert.Equal("application/pdf", stat.ContentType);
        var actual = new Dictionary<string, string>(stat.Metadata, StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in metadata)
        {
            Assert.True(actual.TryGetValue(name, out var v), $"metadata '{name}' is missing");
            Assert.Equal(value, v);
        }

        await using var content = await Store.GetAsync(key, cancellationToken: Ct);
        Assert.Equal(metadata["title"], new Dictionary<string, string>(content!.Info.Metadata, StringComparer.OrdinalIgnoreCase)["title"]);
    }

    /// <summary>Invalid metadata names are rejected.</summary>
    [Fact]
    public async Task Invalid_metadata_names_are_rejected()
    {
        var key = Root + "bad-meta";
        var ex = await Assert.ThrowsAsync<ArchiveValidationException>(() => PutAsync(key, [1], new PutObjectOptions
        {
            Metadata = new Dictionary<string, string> { ["tiêu đề"] = "x" },
        }));
        Assert.Contains(ex.Errors, e => e.Field.StartsWith("metadata", StringComparison.Ordinal));
        Assert.Null(await Store.StatAsync(key, Ct));
    }

    // ---------------------------------------------------------------- ranges

    /// <summary>Ranged reads return the requested bytes.</summary>
    [Fact]
    public async Task Ranged_reads_return_the_requested_bytes()
    {
        var bytes = Bytes(1000, 3);
        var key = Root + "ranged.bin";
        await PutAsync(key, bytes);

        await using (var c = await Store.GetAsync(key, new ByteRange(10, 20), Ct))
        {
            Assert.NotNull(c);
            Assert.Equal(new ByteRange(10, 20), c.Range);
            Assert.Equal(1000, c.Info.Length);
            Assert.Equal(bytes[10..30], await StreamAssert.ReadAllAsync(c.Stream, Ct));
        }

        Assert.Equal(bytes[990..], await ReadAsync(key, new ByteRange(990)));
        Assert.Equal(bytes[995..], await ReadAsync(key, new ByteRange(995, 100)));
        Assert.Equal(bytes[..1], await ReadAsync(key, new ByteRange(0, 1)));
        Assert.Equal(bytes[999..], await ReadAsync(key, new ByteRange(999, 1)));

        var ex = await Assert.ThrowsAsync<ArchiveValidationException>(async () => await Store.GetAsync(key, new ByteRange(1000), Ct));
        Assert.Equal("range.not-satisfiable", ex.Errors[0].Rule);
        ex = await Assert.ThrowsAsync<ArchiveValidationException>(async () => await Store.GetAsync(key, new ByteRange(-1), Ct));
        Assert.Equal("range.offset-negative", ex.Errors[0].Rule);
    }

    // ---------------------------------------------------------------- verification

    /// <summary>Checksum mismatch stores nothing.</summary>
    [Fact]
    public async Task Checksum_mismatch_stores_nothing()
    {
        var key = Root + "new-object";
        var ex = await Assert.ThrowsAsync<ChecksumMismatchException>(() => PutAsync(key, [1, 2, 3], new PutObjectOptions { ExpectedSha256 = new string('0', 64) }));
        Assert.Equal(new string('0', 64), ex.Expected);
        Assert.Equal(StreamAssert.Sha256([1, 2, 3]), ex.Actual);
        Assert.Equal(key, ex.Key);

        Assert.Null(await Store.StatAsync(key, Ct));
        Assert.Null(await Store.GetAsync(key, cancellationToken: Ct));
        await WaitForConsistencyAsync();
        Assert.Empty((await Store.ListPageAsync(Root, cancellationToken: Ct)).Items);
    }

    /// <summary>Checksum mismatch leaves the previous object intact.</summary>
    [Fact]
    public async Task Checksum_mismatch_leaves_the_previous_object_intact()
    {
        var key = Root + "kept";
        var original = Bytes(5000, 4);
        var before = await PutAsync(key, original);

        using var big = new GeneratedStream(300_000, 9);
        await Assert.ThrowsAsync<ChecksumMismatchException>(async () =>
            await Store.PutAsync(key, big, new PutObjectOptions { ExpectedSha256 = before.Sha256 }, Ct));

        Assert.Equal(original, await ReadAsync(key));
        var stat = await Store.StatAsync(key, Ct);
        Assert.Equal(before.ETag, stat?.ETag);
        Assert.Equal(original.Length, stat?.Length);
    }

    /// <summary>Length mismatch stores nothing and keeps the previous object.</summary>
    [Theory]
    [InlineData(9)]
    [InlineData(11)]
    public async Task Length_mismatch_stores_nothing_and_keeps_the_previous_object(long expectedLength)
    {
        var key = Root + "length";
        var original = Bytes(7, 5);
        await PutAsync(key, original);

        await Assert.ThrowsAsync<ChecksumMismatchException>(() => PutAsync(key, Bytes(10, 6), new PutObjectOptions { ExpectedLength = expectedLength }));
        Assert.Equal(original, await ReadAsync(key));

        var other = Root + "length-new";
        await Assert.ThrowsAsync<ChecksumMismatchException>(() => PutAsync(other, Bytes(10, 6), new PutObjectOptions { ExpectedLength = expectedLength }));
        Assert.Null(await Store.StatAsync(other, Ct));
    }

    /// <summary>A failing source stream stores nothing.</summary>
    [Fact]
    public async Task A_failing_source_stream_stores_nothing()
    {
        var key = Root + "dropped";
        await PutAsync(key, [7, 7, 7]);
        AssertCausedBySource(await Assert.ThrowsAnyAsync<Exception>(async () => await Store.PutAsync(key, new FailingStream(300_000), cancellationToken: Ct)));
        Assert.Equal([7, 7, 7], await ReadAsync(key));

        var fresh = Root + "dropped-new";
        AssertCausedBySource(await Assert.ThrowsAnyAsync<Exception>(async () => await Store.PutAsync(fresh, new FailingStream(10), cancellationToken: Ct)));
        Assert.Null(await Store.StatAsync(fresh, Ct));

        static void AssertCausedBySource(Exception ex)
        {
            for (Exception? e = ex; e is not null; e = e.InnerException)
            {
                if (e is IOException && e.Message.Contains("simulated", StringComparison.Ordinal))
                {
                    return;
                }
            }

            Assert.Fail("The source stream's failure was lost: " + ex);
        }
    }

    // ---------------------------------------------------------------- create-only and concurrency

    /// <summary>Create only refuses an existing key.</summary>
    [Fact]
    public async Task Create_only_refuses_an_existing_key()
    {
        var key = Root + "once";
        await PutAsync(key, [1], new PutObjectOptions { CreateOnly = true });
        var ex = await Assert.ThrowsAsync<ObjectAlreadyExistsException>(() => PutAsync(key, [2], new PutObjectOptions { CreateOnly = true }));
        Assert.Equal(key, ex.Key);
        Assert.Equal([1], await ReadAsync(key));
    }

    /// <summary>Capabilities are reported.</summary>
    [Fact]
    public void Capabilities_are_reported()
    {
        var caps = Store.Capabilities;
        Assert.Equal(ExpectedCapabilities, caps & ExpectedCapabilities);
        Assert.False(string.IsNullOrWhiteSpace(Store.SystemName));
        Assert.False(string.IsNullOrWhiteSpace(Store.ContainerName));
    }

    // ------------------------------------------------------------------ stage now, publish later (IObjectStagingStore)

    private IObjectStagingStore StagingStoreOrSkip()
    {
        var staging = Store.GetService<IObjectStagingStore>();
        Assert.Equal(SupportsStaging, staging is not null);
        if (staging is null)
        {
            Assert.Skip("The store does not offer IObjectStagingStore.");
        }

        return staging;
    }

    /// <summary>
    /// Staged content is readable, visible under no key, and published with the digest the store computed while
    /// writing it, the options of the publish (content type, metadata) and durably readable afterwards.
    /// </summary>
    [Fact]
    public async Task Staged_content_is_invisible_until_published_with_the_digest_the_store_computed()
    {
        var staging = StagingStoreOrSkip();
        var bytes = Bytes(300_000, 21);
        using var staged = await staging.StageAsync(new NonSeekableStream(bytes), Ct);
        Assert.Equal(StreamAssert.Sha256(bytes), staged.Sha256);
        Assert.Equal(bytes.Length, staged.Length);
        await using (var read = staged.OpenRead())
        {
            Assert.Equal(bytes, await StreamAssert.ReadAllAsync(read, Ct));
        }

        await WaitForConsistencyAsync();
        Assert.Empty((await Store.ListPageAsync(Root, cancellationToken: Ct)).Items);

        var key = Root + "staged/a.bin";
        var info = await staging.PublishAsync(staged, key, new PutObjectOptions { ContentType = "application/pdf", Metadata = new Dictionary<string, string> { ["m"] = "1" }, ExpectedSha256 = staged.Sha256.ToUpperInvariant() }, Ct);
        Assert.Equal(staged.Sha256, info.Sha256);
        Assert.Equal(bytes.Length, info.Length);
        Assert.Equal(bytes, await ReadAsync(key));
        var stat = await Store.StatAsync(key, Ct);
        Assert.NotNull(stat);
        Assert.Equal(staged.Sha256, stat.Sha256);
        Assert.Equal("application/pdf", stat.ContentType);
        Assert.Equal("1", stat.Metadata["m"]);
    }

    /// <summary>A publish whose expected digest or length differs from the staged one changes nothing, and the staged object stays publishable.</summary>
    [Fact]
    public async Task Publishing_under_another_digest_or_length_is_refused_and_changes_nothing()
    {
        var staging = StagingStoreOrSkip();
        var key = Root + "staged/b.bin";
        await PutAsync(key, Bytes(10, 1));
        using var staged = await staging.StageAsync(new MemoryStream(Bytes(2000, 22)), Ct);

        await Assert.ThrowsAsync<ChecksumMismatchException>(async () => await staging.PublishAsync(staged, key, new PutObjectOptions { ExpectedSha256 = StreamAssert.Sha256(Bytes(2000, 23)) }, Ct));
        await Assert.ThrowsAsync<ChecksumMismatchException>(async () => await staging.PublishAsync(staged, key, new PutObjectOptions { ExpectedLength = 1999 }, Ct));
        Assert.Equal(Bytes(10, 1), await ReadAsync(key));
        var other = Root + "staged/new.bin";
        await Assert.ThrowsAsync<ChecksumMismatchException>(async () => await staging.PublishAsync(staged, other, new PutObjectOptions { ExpectedSha256 = new string('0', 64) }, Ct));
        Assert.Null(await Store.StatAsync(other, Ct));

        await staging.PublishAsync(staged, key, new PutObjectOptions { ExpectedSha256 = staged.Sha256, ExpectedLength = 2000 }, Ct);
        Assert.Equal(Bytes(2000, 22), await ReadAsync(key));
    }

    /// <summary>Create-only holds for a publish; one staged object can be published under several keys (a retried commit); a disposed one cannot be published.</summary>
    [Fact]
    public async Task Publishing_honours_create_only_may_repeat_and_ends_with_dispose()
    {
        var staging = StagingStoreOrSkip();
        var taken = Root + "staged/taken";
        await PutAsync(taken, Bytes(10, 2));
        var staged = await staging.StageAsync(new MemoryStream(Bytes(5000, 24)), Ct);

        await Assert.ThrowsAsync<ObjectAlreadyExistsException>(async () => await staging.PublishAsync(staged, taken, new PutObjectOptions { CreateOnly = true }, Ct));
        Assert.Equal(Bytes(10, 2), await ReadAsync(taken));

        await staging.PublishAsync(staged, Root + "staged/v2/c", new PutObjectOptions { CreateOnly = true }, Ct);
        await staging.PublishAsync(staged, Root + "staged/v3/c", new PutObjectOptions { CreateOnly = true }, Ct);
        staged.Dispose();
        staged.Dispose();

        Assert.Equal(Bytes(5000, 24), await ReadAsync(Root + "staged/v2/c"));
        Assert.Equal(Bytes(5000, 24), await ReadAsync(Root + "staged/v3/c"));
        Assert.Throws<ObjectDisposedException>(() => staged.OpenRead());
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await staging.PublishAsync(staged, Root + "staged/v4/c", null, Ct));
        Assert.Null(await Store.StatAsync(Root + "staged/v4/c", Ct));
    }

    /// <summary>A failure of the source stream passes through unchanged; a large non-seekable stream is staged without holding it in memory.</summary>
    [Fact]
    public async Task Staging_passes_source_failures_through_and_streams_large_content()
    {
        var staging = StagingStoreOrSkip();
        var error = await Record.ExceptionAsync(async () => await staging.StageAsync(new FailingStream(100_000), Ct));
        Assert.IsType<IOException>(error);

        var source = new GeneratedStream(LargeObjectLength, 25);
        using var staged = await staging.StageAsync(source, Ct);
        Assert.Equal(source.Sha256, staged.Sha256);
        Assert.Equal(LargeObjectLength, staged.Length);
        var key = Root + "staged/large";
        await staging.PublishAsync(staged, key, null, Ct);
        var content = await Store.GetAsync(key, cancellationToken: Ct);
        Assert.NotNull(content);
        await using (content)
        {
            var (sha, length) = await StreamAssert.HashAsync(content.Stream, Ct);
            Assert.Equal(source.Sha256, sha);
            Assert.Equal(LargeObjectLength, length);
        }
    }

    /// <summary>A plain decorator passes the staging capability on; one that overrides the put does not (a publish would bypass it).</summary>
    [Fact]
    public void The_staging_capability_is_passed_on_only_by_decorators_that_keep_the_put()
    {
        var staging = Store.GetService<IObjectStagingStore>();
        Assert.Equal(SupportsStaging, staging is not null);
        Assert.Same(staging, new PassThroughStore(Store).GetService<IObjectStagingStore>());
        Assert.Null(new PutChangingStore(Store).GetService<IObjectStagingStore>());
    }

    /// <summary>Concurrent create only has exactly one winner when atomic.</summary>
    [Fact]
    public void GetService_answers_the_store_itself_for_its_own_types_and_null_otherwise()
    {
        Assert.Same(Store, Store.GetService(Store.GetType()));
        Assert.Same(Store, Store.GetService<IObjectStore>());
        Assert.Null(Store.GetService<IUnknownCapability>());
        Assert.Null(Store.GetService(typeof(IObjectStore), serviceKey: "unknown-key"));
        Assert.Throws<ArgumentNullException>(() => Store.GetService(null!));
        Assert.Equal(SupportsRetention, Store.GetService<IObjectRetentionStore>() is not null);
    }

    /// <summary>GetService is forwarded by a decorator.</summary>
    [Fact]
    public async Task GetService_is_forwarded_by_a_decorator()
    {
        var decorated = new PassThroughStore(Store);
        Assert.Same(decorated, decorated.GetService<IObjectStore>());
        Assert.Same(Store, decorated.GetService(Store.GetType()));
        Assert.Same(Store.GetRetention(), decorated.GetRetention());
        Assert.Null(decorated.GetService<IUnknownCapability>());
        Assert.Equal(Store.Capabilities, decorated.Capabilities);
        Assert.Equal(Store.SystemName, decorated.SystemName);

        var key = Root + "decorated";
        await decorated.PutBytesAsync(key, new byte[] { 1, 2, 3 }, cancellationToken: Ct);
        Assert.Equal([1, 2, 3], await ReadAsync(key));
    }

    /// <summary>A capability no store offers.</summary>
    private interface IUnknownCapability;

    private sealed class PassThroughStore(IObjectStore inner) : DelegatingObjectStore(inner);

    /// <summary>A decorator that changes puts, so it must not pass on a batch capability that would bypass it.</summary>
    private sealed class PutChangingStore(IObjectStore inner) : DelegatingObjectStore(inner)
    {
        public override ValueTask<ObjectInfo> PutAsync(string key, Stream content, PutObjectOptions? options = null, CancellationToken cancellationToken = default)
            => base.PutAsync(key, content, options, cancellationToken);
    }

    // ------------------------------------------------------------------ ordered batches (IObjectBatchStore)

    private IObjectBatchStore BatchStoreOrSkip()
    {
        var batch = Store.GetService<IObjectBatchStore>();
        Assert.Equal(SupportsOrderedBatch, batch is not null);
        if (batch is null)
        {
            Assert.Skip("The store does not offer IObjectBatchStore.");
        }

        return batch;
    }

    /// <summary>A batch creates its items in order, each readable with its digest, content type and metadata.</summary>
    [Fact]
    public async Task An_ordered_batch_creates_every_item_durably_readable()
    {
        var batch = BatchStoreOrSkip();
        var items = Enumerable.Range(0, 5).Select(i => new ObjectBatchItem(
            Root + "log/" + i.ToString("D4", CultureInfo.InvariantCulture),
            Bytes(100 + i, 300 + i),
            new PutObjectOptions { ContentType = "application/json", Metadata = new Dictionary<string, string> { ["n"] = i.ToString(CultureInfo.InvariantCulture) } })).ToList();

        Assert.Equal(5, await batch.CreateInOrderAsync(items, Ct));
        Assert.Equal(0, await batch.CreateInOrderAsync([], Ct));

        for (var i = 0; i < items.Count; i++)
        {
            Assert.Equal(items[i].Content.ToArray(), await ReadAsync(items[i].Key));
            var info = await Store.StatAsync(items[i].Key, Ct);
            Assert.NotNull(info);
            Assert.Equal(100 + i, info.Length);
            Assert.True(info.Sha256 is null || info.Sha256 == StreamAssert.Sha256(items[i].Content.ToArray()), "wrong digest");
            Assert.Equal("application/json", info.ContentType);
        }
    }

    /// <summary>A batch stops before the first existing key: that object is untouched and nothing after it is written.</summary>
    [Fact]
    public async Task An_ordered_batch_stops_before_an_existing_key_and_writes_nothing_after_it()
    {
        var batch = BatchStoreOrSkip();
        var taken = Root + "log/0002";
        await PutAsync(taken, Bytes(10, 1), new PutObjectOptions { CreateOnly = true });
        var items = Enumerable.Range(0, 5).Select(i => new ObjectBatchItem(Root + "log/" + i.ToString("D4", CultureInfo.InvariantCulture), Bytes(50, 400 + i))).ToList();

        Assert.Equal(2, await batch.CreateInOrderAsync(items, Ct));

        Assert.Equal(items[0].Content.ToArray(), await ReadAsync(items[0].Key));
        Assert.Equal(items[1].Content.ToArray(), await ReadAsync(items[1].Key));
        Assert.Equal(Bytes(10, 1), await ReadAsync(taken));
        Assert.Null(await Store.StatAsync(items[3].Key, Ct));
        Assert.Null(await Store.StatAsync(items[4].Key, Ct));
    }

    /// <summary>An invalid item refuses the whole batch before anything is written.</summary>
    [Fact]
    public async Task An_ordered_batch_with_an_invalid_key_writes_nothing()
    {
        var batch = BatchStoreOrSkip();
        var first = Root + "log/ok";
        var error = await Record.ExceptionAsync(async () => await batch.CreateInOrderAsync([new ObjectBatchItem(first, Bytes(5, 2)), new ObjectBatchItem(Root + "../escape", Bytes(5, 3))], Ct));
        Assert.IsType<ArchiveValidationException>(error, exactMatch: false);
        Assert.Null(await Store.StatAsync(first, Ct));
    }

    /// <summary>A plain decorator passes the batch capability on; one that overrides the put does not (it would be bypassed).</summary>
    [Fact]
    public void The_batch_capability_is_passed_on_only_by_decorators_that_keep_the_put()
    {
        var batch = Store.GetService<IObjectBatchStore>();
        Assert.Equal(SupportsOrderedBatch, batch is not null);
        Assert.Same(batch, new PassThroughStore(Store).GetService<IObjectBatchStore>());
        Assert.Null(new PutChangingStore(Store).GetService<IObjectBatchStore>());
    }

    /// <summary>Concurrent create only has exactly one winner when atomic.</summary>
    [Fact]
    public async Task Concurrent_create_only_has_exactly_one_winner_when_atomic()
    {
        var key = Root + "race";
        const int writers = 8;
        var tasks = Enumerable.Range(0, writers).Select(i => Task.Run(async () =>
        {
            try
            {
                await PutAsync(key, Bytes(64 * 1024, 100 + i), new PutObjectOptions { CreateOnly = true });
                return i;
            }
            catch (ObjectAlreadyExistsException)
            {
                return -1;
            }
        })).ToArray();
        var winners = (await Task.WhenAll(tasks)).Where(i => i >= 0).ToArray();

        Assert.NotEmpty(winners);
        var stored = await ReadAsync(key);
        Assert.Contains(winners, w => Bytes(64 * 1024, 100 + w).AsSpan().SequenceEqual(stored));
        if (Store.Capabilities.HasFlag(ObjectStoreCapabilities.AtomicCreateOnly))
        {
            Assert.Single(winners);
        }
    }

    /// <summary>Concurrent writers to one key leave one whole version.</summary>
    [Fact]
    public async Task Concurrent_writers_to_one_key_leave_one_whole_version()
    {
        var key = Root + "contended";
        const int writers = 8;
        const int length = 256 * 1024;
        await Task.WhenAll(Enumerable.Range(0, writers).Select(i => Task.Run(() => PutAsync(key, Bytes(length, 200 + i)))));

        var stored = await ReadAsync(key);
        Assert.NotNull(stored);
        var winner = Enumerable.Range(0, writers).Where(i => Bytes(length, 200 + i).AsSpan().SequenceEqual(stored)).ToArray();
        Assert.Single(winner);
        var stat = await Store.StatAsync(key, Ct);
        Assert.True(stat?.Sha256 is null || stat.Sha256 == StreamAssert.Sha256(stored), "the recorded digest belongs to another writer's content");
    }

    /// <summary>Concurrent writers to different keys all succeed.</summary>
    [Fact]
    public async Task Concurrent_writers_to_different_keys_all_succeed()
    {
        const int writers = 16;
        await Task.WhenAll(Enumerable.Range(0, writers).Select(i => Task.Run(() => PutAsync($"{Root}many/{i:D2}/file.bin", Bytes(32 * 1024, 300 + i)))));
        for (var i = 0; i < writers; i++)
        {
            Assert.Equal(Bytes(32 * 1024, 300 + i), await ReadAsync($"{Root}many/{i:D2}/file.bin"));
        }

        await WaitForConsistencyAsync();
        var all = new List<ObjectInfo>();
        await foreach (var item in Store.ListAsync(Root + "many/", 5, Ct))
        {
            all.Add(item);
        }

        Assert.Equal(writers, all.Count);
    }

    // ---------------------------------------------------------------- listing

    /// <summary>Keys chosen so that directory order and ordinal key order differ ('-' &lt; '/' &lt; '0').</summary>
    private string[] ListingKeys() =>
    [
        Root + "a-b",
        Root + "a/1",
        Root + "a/2/x",
        Root + "a0",
        Root + "b",
        Root + "ba/x",
        Root + "ba/y/z",
        Root + "bb",
        Root + "c.txt",
        Root + "đ/hồ sơ",
        Root + "ư",
    ];

    private async Task<string[]> PutListingKeysAsync()
    {
        var keys = ListingKeys();
        foreach (var key in keys)
        {
            await PutAsync(key, Encoding.UTF8.GetBytes(key));
        }

        await WaitForConsistencyAsync();
        return keys.Order(StringComparer.Ordinal).ToArray();
    }

    private async Task<(List<string> Items, List<string> Prefixes, int Pages)> ListAllAsync(string prefix, int pageSize, bool delimited)
    {
        var items = new List<string>();
        var prefixes = new List<string>();
        var pages = 0;
        string? token = null;
        do
        {
            var page = await Store.ListPageAsync(prefix, new ObjectListOptions { PageSize = pageSize, ContinuationToken = token, Delimited = delimited }, Ct);
            Assert.True(page.Items.Count + page.CommonPrefixes.Count <= pageSize, "a page holds more entries than asked for");
            Assert.True(page.Items.Count + page.CommonPrefixes.Count > 0 || page.ContinuationToken is null, "an empty page must be the last");
            items.AddRange(page.Items.Select(i => i.Key));
            prefixes.AddRange(page.CommonPrefixes);
            token = page.ContinuationToken;
            Assert.True(++pages < 100, "listing does not terminate");
        }
        while (token is not null);

        return (items, prefixes, pages);
    }

    /// <summary>Listing is in ordinal key order.</summary>
    [Fact]
    public async Task Listing_is_in_ordinal_key_order()
    {
        var expected = await PutListingKeysAsync();
        var page = await Store.ListPageAsync(Root, cancellationToken: Ct);
        Assert.Equal(expected, page.Items.Select(i => i.Key));
        Assert.Empty(page.CommonPrefixes);
        Assert.Null(page.ContinuationToken);
        Assert.All(page.Items, i => Assert.Equal(Encoding.UTF8.GetByteCount(i.Key), i.Length));
    }

    /// <summary>Listing pages resume where they stopped.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Listing_pages_resume_where_they_stopped(int pageSize)
    {
        var expected = await PutListingKeysAsync();
        var (items, prefixes, pages) = await ListAllAsync(Root, pageSize, delimited: false);
        Assert.Equal(expected, items);
        Assert.Empty(prefixes);
        Assert.True(pages >= expected.Length / pageSize);
    }

    /// <summary>Listing prefix need not be a folder.</summary>
    [Fact]
    public async Task Listing_prefix_need_not_be_a_folder()
    {
        await PutListingKeysAsync();
        var (items, _, _) = await ListAllAsync(Root + "b", 2, delimited: false);
        Assert.Equal([Root + "b", Root + "ba/x", Root + "ba/y/z", Root + "bb"], items);

        (items, _, _) = await ListAllAsync(Root + "a", 1000, delimited: false);
        Assert.Equal([Root + "a-b", Root + "a/1", Root + "a/2/x", Root + "a0"], items);

        (items, _, _) = await ListAllAsync(Root + "nothing", 10, delimited: false);
        Assert.Empty(items);

        (items, _, _) = await ListAllAsync(Root + "ba/", 10, delimited: false);
        Assert.Equal([Root + "ba/x", Root + "ba/y/z"], items);
    }

    /// <summary>Delimited listing groups common prefixes.</summary>
    [Theory]
    [InlineData(1000)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Delimited_listing_groups_common_prefixes(int pageSize)
    {
        await PutListingKeysAsync();
        var (items, prefixes, _) = await ListAllAsync(Root, pageSize, delimited: true);
        Assert.Equal([Root + "a-b", Root + "a0", Root + "b", Root + "bb", Root + "c.txt", Root + "ư"], items);
        Assert.Equal([Root + "a/", Root + "ba/", Root + "đ/"], prefixes);

        (items, prefixes, _) = await ListAllAsync(Root + "a", pageSize, delimited: true);
        Assert.Equal([Root + "a-b", Root + "a0"], items);
        Assert.Equal([Root + "a/"], prefixes);

        (items, prefixes, _) = await ListAllAsync(Root + "ba/", pageSize, delimited: true);
        Assert.Equal([Root + "ba/x"], items);
        Assert.Equal([Root + "ba/y/"], prefixes);
    }

    /// <summary>Listing an empty prefix returns an empty last page.</summary>
    [Fact]
    public async Task Listing_an_empty_prefix_returns_an_empty_last_page()
    {
        var page = await Store.ListPageAsync(Root, new ObjectListOptions { Delimited = true }, Ct);
        Assert.Empty(page.Items);
        Assert.Empty(page.CommonPrefixes);
        Assert.Null(page.ContinuationToken);
    }

    // ---------------------------------------------------------------- delete, stat

    /// <summary>Delete removes the object and reports absence.</summary>
    [Fact]
    public async Task Delete_removes_the_object_and_reports_absence()
    {
        var key = Root + "x/y/z.txt";
        await PutAsync(key, [1, 2]);
        await PutAsync(Root + "x/keep", [3]);
        Assert.True(await Store.DeleteAsync(key, Ct));
        Assert.False(await Store.DeleteAsync(key, Ct));
        Assert.Null(await Store.StatAsync(key, Ct));
        Assert.Null(await Store.GetAsync(key, cancellationToken: Ct));

        await WaitForConsistencyAsync();
        var (items, prefixes, _) = await ListAllAsync(Root + "x/", 10, delimited: true);
        Assert.Equal([Root + "x/keep"], items);
        Assert.Empty(prefixes);
    }

    /// <summary>Absent objects answer null and false.</summary>
    [Fact]
    public async Task Absent_objects_answer_null_and_false()
    {
        Assert.Null(await Store.StatAsync(Root + "missing", Ct));
        Assert.Null(await Store.GetAsync(Root + "missing", cancellationToken: Ct));
        Assert.Null(await Store.GetAsync(Root + "missing", new ByteRange(5), Ct));
        Assert.False(await Store.DeleteAsync(Root + "missing", Ct));
    }

    // ---------------------------------------------------------------- key validation

    /// <summary>Invalid keys are rejected naming the rule.</summary>
    [Theory]
    [InlineData("", "key.empty")]
    [InlineData("/abs", "key.absolute")]
    [InlineData("a/../b", "key.dot-segment")]
    [InlineData("a/./b", "key.dot-segment")]
    [InlineData("a//b", "key.empty-segment")]
    [InlineData("a/", "key.trailing-slash")]
    [InlineData("a\\b", "key.backslash")]
    [InlineData("a\nb", "key.control-character")]
    public async Task Invalid_keys_are_rejected_naming_the_rule(string key, string rule)
    {
        async Task Check(Func<Task> action)
        {
            var ex = await Assert.ThrowsAsync<ArchiveValidationException>(action);
            Assert.Contains(ex.Errors, e => e.Rule == rule);
        }

        await Check(() => PutAsync(key, [1]));
        await Check(async () => await Store.GetAsync(key, cancellationToken: Ct));
        await Check(async () => await Store.StatAsync(key, Ct));
        await Check(async () => await Store.DeleteAsync(key, Ct));
    }

    /// <summary>Invalid listing prefix is rejected.</summary>
    [Fact]
    public async Task Invalid_listing_prefix_is_rejected()
    {
        var ex = await Assert.ThrowsAsync<ArchiveValidationException>(async () => await Store.ListPageAsync("a/../", cancellationToken: Ct));
        Assert.Contains(ex.Errors, e => e.Rule == "key.dot-segment");
    }

    /// <summary>Invalid page size is rejected.</summary>
    [Fact]
    public async Task Invalid_page_size_is_rejected()
    {
        await Assert.ThrowsAsync<ArchiveValidationException>(async () => await Store.ListPageAsync(Root, new ObjectListOptions { PageSize = 0 }, Ct));
        await Assert.ThrowsAsync<ArchiveValidationException>(async () => await Store.ListPageAsync(Root, new ObjectListOptions { PageSize = 1001 }, Ct));
    }

    // ---------------------------------------------------------------- retention

    /// <summary>Retention capability is reported honestly.</summary>
    [Fact]
    public async Task Retention_capability_is_reported_honestly()
    {
        var retention = Store.GetRetention();
        if (!SupportsRetention)
        {
            Assert.Null(retention);
            var key = Root + "no-retention";
            await Assert.ThrowsAsync<NotSupportedException>(() => PutAsync(key, [1], new PutObjectOptions
            {
                Retention = new ObjectRetention(RetentionMode.Governance, DateTimeOffset.UtcNow.AddDays(1)),
            }));
            Assert.Null(await Store.StatAsync(key, Ct));
            return;
        }

        Assert.NotNull(retention);
        Assert.Equal(ExpectedEnforcement, retention.Enforcement);
    }

    private IObjectRetentionStore RequireRetention()
    {
        if (!SupportsRetention)
        {
            Assert.Skip("This store does not offer retention (checked by Retention_capability_is_reported_honestly).");
        }

        return Store.GetRetention()!;
    }

    private DateTimeOffset Until(double fraction = 1)
    {
        var t = DateTimeOffset.UtcNow + RetentionWindow * fraction;
        return new DateTimeOffset(t.Ticks - t.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
    }

    private static void AssertSameInstant(DateTimeOffset expected, DateTimeOffset? actual)
    {
        Assert.NotNull(actual);
        Assert.True((expected - actual.Value).Duration() < TimeSpan.FromSeconds(1), $"expected {expected:O}, got {actual:O}");
    }

    /// <summary>Retention set at write blocks delete and overwrite.</summary>
    [Fact]
    public async Task Retention_set_at_write_blocks_delete_and_overwrite()
    {
        var retention = RequireRetention();
        var key = Root + "retained";
        var until = Until();
        await PutAsync(key, [1, 2, 3], new PutObjectOptions { Retention = new ObjectRetention(RetentionMode.Governance, until) });

        var got = await retention.GetRetentionAsync(key, Ct);
        Assert.Equal(RetentionMode.Governance, got?.Mode);
        AssertSameInstant(until, got?.RetainUntil);

        var ex = await Assert.ThrowsAsync<ObjectLockedException>(async () => await Store.DeleteAsync(key, Ct));
        Assert.Equal(key, ex.Key);
        await Assert.ThrowsAsync<ObjectLockedException>(() => PutAsync(key, [9]));
        Assert.Equal([1, 2, 3], await ReadAsync(key));
    }

    /// <summary>Compliance retention cannot be shortened or weakened.</summary>
    [Fact]
    public async Task Compliance_retention_cannot_be_shortened_or_weakened()
    {
        var retention = RequireRetention();
        var key = Root + "compliance";
        await PutAsync(key, [1]);
        Assert.Null(await retention.GetRetentionAsync(key, Ct));

        var until = Until(0.5);
        await retention.SetRetentionAsync(key, new ObjectRetention(RetentionMode.Compliance, until), Ct);
        AssertSameInstant(until, (await retention.GetRetentionAsync(key, Ct))?.RetainUntil);

        await Assert.ThrowsAsync<ObjectLockedException>(async () =>
            await retention.SetRetentionAsync(key, new ObjectRetention(RetentionMode.Compliance, until.AddSeconds(-30)), Ct));
        await Assert.ThrowsAsync<ObjectLockedException>(async () =>
            await retention.SetRetentionAsync(key, new ObjectRetention(RetentionMode.Governance, until.AddSeconds(30)), Ct));

        var later = Until();
        await retention.SetRetentionAsync(key, new ObjectRetention(RetentionMode.Compliance, later), Ct);
        var got = await retention.GetRetentionAsync(key, Ct);
        Assert.Equal(RetentionMode.Compliance, got?.Mode);
        AssertSameInstant(later, got?.RetainUntil);
        await Assert.ThrowsAsync<ObjectLockedException>(async () => await Store.DeleteAsync(key, Ct));
    }

    /// <summary>Governance retention can be extended and upgraded.</summary>
    [Fact]
    public async Task Governance_retention_can_be_extended_and_upgraded()
    {
        var retention = RequireRetention();
        var key = Root + "governance";
        await PutAsync(key, [1]);
        var until = Until(0.5);
        await retention.SetRetentionAsync(key, new ObjectRetention(RetentionMode.Governance, until), Ct);
        var later = Until();
        await retention.SetRetentionAsync(key, new ObjectRetention(RetentionMode.Governance, later), Ct);
        AssertSameInstant(later, (await retention.GetRetentionAsync(key, Ct))?.RetainUntil);
        await retention.SetRetentionAsync(key, new ObjectRetention(RetentionMode.Compliance, later), Ct);
        Assert.Equal(RetentionMode.Compliance, (await retention.GetRetentionAsync(key, Ct))?.Mode);
    }

    /// <summary>Legal hold blocks delete until lifted.</summary>
    [Fact]
    public async Task Legal_hold_blocks_delete_until_lifted()
    {
        var retention = RequireRetention();
        var key = Root + "held";
        await PutAsync(key, [1]);
        Assert.False(await retention.GetLegalHoldAsync(key, Ct));

        await retention.SetLegalHoldAsync(key, true, Ct);
        Assert.True(await retention.GetLegalHoldAsync(key, Ct));
        await Assert.ThrowsAsync<ObjectLockedException>(async () => await Store.DeleteAsync(key, Ct));
        await Assert.ThrowsAsync<ObjectLockedException>(() => PutAsync(key, [2]));
        Assert.Equal([1], await ReadAsync(key));

        await retention.SetLegalHoldAsync(key, false, Ct);
        Assert.False(await retention.GetLegalHoldAsync(key, Ct));
        Assert.True(await Store.DeleteAsync(key, Ct));
    }

    /// <summary>Retention on a missing object is not found.</summary>
    [Fact]
    public async Task Retention_on_a_missing_object_is_not_found()
    {
        var retention = RequireRetention();
        var key = Root + "ghost";
        await Assert.ThrowsAsync<ObjectNotFoundException>(async () =>
            await retention.SetRetentionAsync(key, new ObjectRetention(RetentionMode.Governance, Until()), Ct));
        await Assert.ThrowsAsync<ObjectNotFoundException>(async () => await retention.GetRetentionAsync(key, Ct));
        await Assert.ThrowsAsync<ObjectNotFoundException>(async () => await retention.SetLegalHoldAsync(key, true, Ct));
        await Assert.ThrowsAsync<ObjectNotFoundException>(async () => await retention.GetLegalHoldAsync(key, Ct));
    }
}

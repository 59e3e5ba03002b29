using Archive.Audit;
using Archive.Hosting;
using Archive.Indexing;
using Archive.Packages;
using Archive.Records;
using Archive.Search;
using Archive.Security;
using Archive.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit;

namespace Archive.Core.Tests.Records;

/// <summary>A generic host that calls only <c>AddArchive</c> (no REST facade) gets the engine's background work and policy.</summary>
public sealed class EngineHostTests
{
    [Fact]
    public async Task An_engine_only_host_runs_start_up_recovery_and_indexes_pending_record_files()
    {
        var ct = TestContext.Current.CancellationToken;
        var path = Path.Combine(Path.GetTempPath(), "archive-core-tests", Guid.NewGuid().ToString("N"));
        try
        {
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
            builder.Services.AddArchive(o =>
            {
                o.DataPath = path;
                o.PendingIndexInterval = TimeSpan.FromMilliseconds(200);
            }).AddEmbeddedDefaults();
            using var host = builder.Build();
            var services = host.Services;
            Assert.IsType<ArchiveAccessPolicy>(services.GetRequiredService<IArchiveAccessPolicy>());
            Assert.NotNull(services.GetRequiredService<ReindexJob>());

            // Before the host starts: a record file whose index update "failed" (gone from the index, flagged), and an
            // abandoned version claim of the kind a crash between claim and commit leaves behind.
            var agencies = services.GetRequiredService<AgencyRegistry>();
            var fonds = services.GetRequiredService<FondsRegistry>();
            var files = services.GetRequiredService<RecordFileService>();
            var indexer = services.GetRequiredService<RecordIndexer>();
            await agencies.CreateAsync(new Agency { Id = ArchiveHarness.AgencyId, Name = "Bộ Nội vụ" }, ArchiveHarness.User, ct);
            await fonds.CreateAsync(new FondsInput { Code = ArchiveHarness.FondsCode, Name = "Phông Bộ Nội vụ", AgencyId = ArchiveHarness.AgencyId }, ArchiveHarness.User, ct);
            var created = await files.CreateAsync(ArchiveHarness.FileInput(), ArchiveHarness.User, ct);
            var code = created.Stored.Value.FileCode;
            await services.GetRequiredService<ISearchIndex>().DeleteAsync([code], ct);
            await indexer.FlagPendingAsync(code, "test: index update failed", ct);

            var storage = services.GetRequiredService<ArchiveStorage>();
            var ocfl = storage.Files.GetService<OcflPackageStore>()!;
            var claim = ocfl.GetObjectRoot(code).TrimEnd('/') + $"/v{created.Stored.Version + 1}/inventory.json";
            var objects = services.GetRequiredService<IObjectStore>();
            await objects.PutAsync(claim, new MemoryStream("{}"u8.ToArray()), new PutObjectOptions { CreateOnly = true }, ct);

            await host.StartAsync(ct);
            try
            {
                var deadline = DateTime.UtcNow.AddSeconds(30);
                while ((await indexer.ListPendingAsync(ct)).Count > 0 || await objects.StatAsync(claim, ct) is not null)
                {
                    Assert.True(DateTime.UtcNow < deadline, "the engine's background service did not recover and index within 30 s");
                    await Task.Delay(100, ct);
                }

                var hits = await services.GetRequiredService<ISearchIndex>().SearchAsync(new SearchRequest { PageSize = 10, Consistency = SearchConsistency.ReadYourWrites }, ct);
                Assert.Contains(hits.Hits, h => h.Document.Id == code);
            }
            finally
            {
                await host.StopAsync(ct);
            }
        }
        finally
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
    }
}

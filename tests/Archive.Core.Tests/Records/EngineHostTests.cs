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
    public async Task Start_up_removes_the_spools_a_killed_process_left_and_nothing_else()
    {
        var ct = TestContext.Current.CancellationToken;
        var path = Path.Combine(Path.GetTempPath(), "archive-core-tests", Guid.NewGuid().ToString("N"));
        var temp = Path.Combine(path, "tmp");
        Directory.CreateDirectory(temp);
        try
        {
            // Left by a process killed mid-request (written before this one started): an upload spool, an import part,
            // an extracted-text file and a verification staging folder; beside them a file that is not the archive's,
            // and a spool written after this process started (a request of this process may own it).
            var before = DateTime.UtcNow.AddDays(-1);
            string Old(string name, bool folder = false)
            {
                var p = Path.Combine(temp, name);
                if (folder)
                {
                    Directory.CreateDirectory(Path.Combine(p, "data"));
                    File.WriteAllText(Path.Combine(p, "data", "x.pdf"), "x");
                    Directory.SetLastWriteTimeUtc(p, before);
                }
                else
                {
                    File.WriteAllText(p, "x");
                    File.SetLastWriteTimeUtc(p, before);
                }

                return p;
            }

            var id = Guid.NewGuid().ToString("N");
            string[] leftovers = [Old($"upload-{id}.tmp"), Old($"import-{id}.part"), Old($"text-{id}.json"), Old($"handover-{id}", folder: true), Old($"accession-{id}", folder: true)];
            var foreign = Old("notes.tmp");
            var fresh = Path.Combine(temp, $"upload-{Guid.NewGuid():N}.tmp");
            File.WriteAllText(fresh, "x");

            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
            builder.Services.AddArchive(o => o.DataPath = path).AddEmbeddedDefaults();
            using var host = builder.Build();
            await host.StartAsync(ct);
            try
            {
                var deadline = DateTime.UtcNow.AddSeconds(30);
                while (leftovers.Any(p => File.Exists(p) || Directory.Exists(p)))
                {
                    Assert.True(DateTime.UtcNow < deadline, "the leftovers were not removed within 30 s: " + string.Join(", ", leftovers.Where(p => File.Exists(p) || Directory.Exists(p))));
                    await Task.Delay(50, ct);
                }

                Assert.True(File.Exists(foreign), "a file that is not the archive's must stay");
                Assert.True(File.Exists(fresh), "a spool written after the process started must stay");
            }
            finally
            {
                await host.StopAsync(ct);
            }
        }
        finally
        {
            Directory.Delete(path, recursive: true);
        }
    }

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

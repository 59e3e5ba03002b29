using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using Archive.Handover;
using Archive.Indexing;
using Archive.Records;

namespace Archive.Drills.Tests;

/// <summary>
/// The child process of <see cref="KillDrillTests"/>: this test executable started again with <see cref="ModeVariable"/>
/// set runs one kind of record-level work in a loop until it is killed (SIGKILL). A module initializer intercepts the
/// start before the test platform's entry point runs (the pattern of Archive.Core.Tests' CrashChild).
/// </summary>
/// <remarks>
/// At start it runs the host's start-up recovery (the object store's staging recovery when opened, then
/// <see cref="ArchiveStorage.RecoverAsync"/>), prints <c>RECOVERED …</c> and <c>READY</c>, then works. After each
/// engine call returned, it appends one line to the journal and fsyncs it, so the parent knows exactly what was
/// acknowledged: <c>C code v title</c> (created), <c>D code v ordinal</c> (document), <c>F code v ordinal name sha</c>
/// (content), <c>T code v title</c> (metadata update), <c>E folder mode</c> (export finished),
/// <c>R processed resumed</c> (reindex finished). Fields are URI-escaped.
/// </remarks>
internal static class KillChild
{
    public const string ModeVariable = "ARCHIVE_DRILL_CHILD";
    public const string DataVariable = "ARCHIVE_DRILL_DATA";
    public const string JournalVariable = "ARCHIVE_DRILL_JOURNAL";
    public const string SeedVariable = "ARCHIVE_DRILL_SEED";
    public const string RunVariable = "ARCHIVE_DRILL_RUN";

#pragma warning disable CA2255 // Intentional: the test executable doubles as the drill's child process.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void RunIfRequested()
    {
        var mode = Environment.GetEnvironmentVariable(ModeVariable);
        if (string.IsNullOrEmpty(mode))
        {
            return;
        }

        var exitCode = 0;
        try
        {
            Run(
                mode,
                Environment.GetEnvironmentVariable(DataVariable)!,
                Environment.GetEnvironmentVariable(JournalVariable)!,
                int.Parse(Environment.GetEnvironmentVariable(SeedVariable) ?? "1", CultureInfo.InvariantCulture),
                int.Parse(Environment.GetEnvironmentVariable(RunVariable) ?? "0", CultureInfo.InvariantCulture));
        }
        catch (Exception ex)
        {
            Console.Error.WriteLine(ex);
            exitCode = 3;
        }

        Environment.Exit(exitCode);
    }

    private static T Wait<T>(ValueTask<T> task) => task.AsTask().GetAwaiter().GetResult();

    /// <summary>
    /// Synchronous on purpose: inside the module initializer no other thread may run code of this assembly, so only
    /// engine calls are awaited (their continuations run in the engine's assemblies) and no callback of ours is passed.
    /// </summary>
    private static void Run(string mode, string data, string journalPath, int seed, int run)
    {
        var output = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false)) { AutoFlush = true };
        using var journal = new FileStream(journalPath, FileMode.Append, FileAccess.Write, FileShare.Read);
        var engine = new DrillEngine(data);
        var reports = Wait(engine.Storage.RecoverAsync());
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"RECOVERED {reports.Sum(r => r.Report.AbandonedVersionsRemoved)} {reports.Sum(r => r.Report.UncommittedPackagesRemoved)} {reports.Sum(r => r.Report.InventorySidecarsRepaired)} {reports.Sum(r => r.Report.CorruptPackages.Count)}"));

        var random = new Random(seed);
        var user = DrillEngine.User;
        void Ack(params object[] fields)
        {
            var line = string.Join(' ', fields.Select(f => Uri.EscapeDataString(Convert.ToString(f, CultureInfo.InvariantCulture)!))) + "\n";
            journal.Write(Encoding.UTF8.GetBytes(line));
            journal.Flush(flushToDisk: true);
            output.WriteLine("ACK " + line.TrimEnd('\n'));
        }

        byte[] Content() => RandomNumberGenerator.GetBytes(random.Next(1, 256 * 1024));

        switch (mode)
        {
            case "ingest":
            {
                output.WriteLine("READY");
                for (var i = 1; ; i++)
                {
                    var title = $"Hồ sơ lần chạy {run} số {i}: tuyển dụng công chức";
                    var created = Wait(engine.Files.CreateAsync(DrillEngine.FileInput($"{i}.K{run}", 2000 + (run % 25), title), user)).Stored;
                    var code = created.Value.FileCode;
                    Ack("C", code, created.Version, title);
                    var documents = random.Next(1, 3);
                    for (var d = 1; d <= documents; d++)
                    {
                        var doc = Wait(engine.Files.AddDocumentAsync(code, DrillEngine.DocInput($"Văn bản {d} của hồ sơ {code}"), null, user)).Stored;
                        Ack("D", code, doc.Version, d);
                        var bytes = Content();
                        var name = $"Bản scan {d}.bin";
                        var content = Wait(engine.Files.AddContentAsync(code, d, new ContentUpload { FileName = name, Content = new MemoryStream(bytes) }, null, user)).Stored;
                        Ack("F", code, content.Version, d, name, DrillEngine.Sha256(bytes));
                    }
                }
            }

            case "import":
            {
                output.WriteLine("READY");
                for (var i = 1; ; i++)
                {
                    // A batch of 2–5 whole record files (1–2 documents with content each), one version each, indexed
                    // together after the batch's commits: a kill in between must leave them flagged, not unsearchable.
                    var batch = new List<(RecordFileImport Import, string Title, List<(int Ordinal, string Name, string Sha)> Contents)>();
                    var files = random.Next(2, 6);
                    for (var f = 1; f <= files; f++)
                    {
                        var title = $"Hồ sơ nhập lần chạy {run} lô {i} số {f}: sáp nhập đơn vị";
                        var contents = new List<(int, string, string)>();
                        var documents = new List<DocumentImport>();
                        for (var d = 1; d <= random.Next(1, 3); d++)
                        {
                            var bytes = Content();
                            var name = $"Tài liệu {d}.bin";
                            contents.Add((d, name, DrillEngine.Sha256(bytes)));
                            documents.Add(new DocumentImport { Document = DrillEngine.DocInput($"Văn bản {d} nhập lô {i}"), Contents = [new ContentUpload { FileName = name, Content = new MemoryStream(bytes) }] });
                        }

                        batch.Add((new RecordFileImport { File = DrillEngine.FileInput($"{i}.{f}.I{run}", 2000 + (run % 25), title), Documents = documents }, title, contents));
                    }

                    var outcomes = Wait(engine.Files.ImportBatchAsync(batch.Select(b => b.Import).ToList(), user));
                    for (var k = 0; k < outcomes.Count; k++)
                    {
                        var stored = outcomes[k].Result?.Stored ?? throw new InvalidOperationException("import failed: " + outcomes[k].Error?.Message);
                        Ack("C", stored.Value.FileCode, stored.Version, batch[k].Title);
                        foreach (var (ordinal, name, sha) in batch[k].Contents)
                        {
                            Ack("F", stored.Value.FileCode, stored.Version, ordinal, name, sha);
                        }
                    }
                }
            }

            case "update":
            {
                var codes = new List<string>();
                var e = engine.Files.ListAsync().GetAsyncEnumerator();
                while (Wait(e.MoveNextAsync()))
                {
                    if (e.Current.Value.Documents.Count > 0)
                    {
                        codes.Add(e.Current.Value.FileCode);
                    }
                }

                e.DisposeAsync().AsTask().GetAwaiter().GetResult();
                output.WriteLine("READY");
                for (var i = 1; ; i++)
                {
                    var code = codes[random.Next(codes.Count)];
                    var current = Wait(engine.Files.GetAsync(code))!;
                    if (random.Next(2) == 0)
                    {
                        var title = $"Hồ sơ cập nhật lần chạy {run} lượt {i}";
                        var input = DrillEngine.FileInput(current.Value.FileNotation, current.Value.FileCatalog, title);
                        var updated = Wait(engine.Files.UpdateAsync(code, input, current.Version, user)).Stored;
                        Ack("T", code, updated.Version, title);
                    }
                    else
                    {
                        var doc = current.Value.Documents[random.Next(current.Value.Documents.Count)];
                        var name = doc.Contents.Count > 0 && random.Next(3) > 0 ? doc.Contents[0].Name : $"Phụ lục {run}-{i}.bin";
                        var bytes = Content();
                        var content = Wait(engine.Files.AddContentAsync(code, doc.DocOrdinal, new ContentUpload { FileName = name, Content = new MemoryStream(bytes) }, current.Version, user)).Stored;
                        Ack("F", code, content.Version, doc.DocOrdinal, name, DrillEngine.Sha256(bytes));
                    }
                }
            }

            case "export":
            {
                var root = Path.Combine(data, "exports");
                Directory.CreateDirectory(root);

                // An export the previous child left unfinished is resumed or discarded (alternately), then new ones run.
                foreach (var folder in Directory.EnumerateDirectories(root).Order(StringComparer.Ordinal).ToList())
                {
                    if (File.Exists(Path.Combine(folder, BagIt.IncompleteMarker)))
                    {
                        var how = run / 4 % 2 == 0 ? IncompleteExportMode.Resume : IncompleteExportMode.Discard; // export runs are every 4th: alternate between them
                        output.WriteLine("READY");
                        var export = Wait(engine.Handover.ExportToFolderAsync(DrillEngine.HandoverRequest(), folder, user, how));
                        Ack("E", Path.GetFileName(folder), how, export.ReusedFiles, export.PayloadFiles);
                    }
                }

                output.WriteLine("READY");
                for (var i = 1; ; i++)
                {
                    var name = string.Create(CultureInfo.InvariantCulture, $"bag-{run:D3}-{i:D3}");
                    var export = Wait(engine.Handover.ExportToFolderAsync(DrillEngine.HandoverRequest(), Path.Combine(root, name), user));
                    Ack("E", name, "new", export.ReusedFiles, export.PayloadFiles);
                }
            }

            case "reindex":
            {
                var resumable = Wait(engine.Reindex.GetCheckpointAsync()) is not null;
                output.WriteLine("READY");
                for (var i = 1; ; i++)
                {
                    var status = Wait(engine.Reindex.RunAsync(new ReindexRequest { BatchSize = 2 }));
                    Ack("R", status.Processed, status.Resumed, resumable);
                    resumable = false;
                }
            }

            default:
                throw new InvalidOperationException($"Unknown drill child mode '{mode}'.");
        }
    }
}

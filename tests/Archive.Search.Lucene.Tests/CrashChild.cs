using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;

namespace Archive.Search.Lucene.Tests;

/// <summary>
/// The test executable doubles as a writer process that a test kills: when started with
/// <see cref="IndexPathVariable"/> set, it indexes documents one by one, printing <c>acked N</c> after each
/// <see cref="LuceneSearchIndex.IndexAsync"/> returns, until it is killed. Nothing else of the test host runs.
/// </summary>
internal static class CrashChild
{
    public const string IndexPathVariable = "ARCHIVE_LUCENE_CRASH_CHILD_INDEX";

#pragma warning disable CA2255 // The module initializer is the child's entry point; it does nothing in a normal test run.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void RunIfChild()
    {
        var path = Environment.GetEnvironmentVariable(IndexPathVariable);
        if (string.IsNullOrEmpty(path))
        {
            return;
        }

        var index = new LuceneSearchIndex(new LuceneSearchOptions { IndexPath = path, RefreshInterval = TimeSpan.FromMilliseconds(20) });
        for (var i = 0; ; i++)
        {
            var id = "crash-" + i.ToString("D5", CultureInfo.InvariantCulture);
            index.IndexAsync([new SearchDocument { Id = id, Title = $"Văn bản số {i} trước sự cố", Text = string.Concat(Enumerable.Repeat("nội dung lưu trữ ", 50)) }]).AsTask().GetAwaiter().GetResult();
            Console.Out.WriteLine("acked " + i.ToString(CultureInfo.InvariantCulture));
            Console.Out.Flush();
        }
    }

    /// <summary>Starts the child on <paramref name="indexPath"/>.</summary>
    public static Process Start(string indexPath)
    {
        var dll = typeof(CrashChild).Assembly.Location;
        var apphost = Path.ChangeExtension(dll, null);
        var info = File.Exists(apphost) && !OperatingSystem.IsWindows()
            ? new ProcessStartInfo(apphost)
            : new ProcessStartInfo(DotnetHost(), ["exec", dll]);
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.UseShellExecute = false;
        info.Environment[IndexPathVariable] = indexPath;
        return Process.Start(info) ?? throw new InvalidOperationException("could not start the child process");
    }

    private static string DotnetHost()
        => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host
            : Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p
            : "dotnet";
}

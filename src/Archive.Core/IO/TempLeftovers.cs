using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Archive.IO;

/// <summary>
/// What a process killed mid-request leaves in the temporary folder: upload and import spools, extracted-text files,
/// the staging folders of package verification and record export, the run files of an on-disk sort. Only the archive's own names are touched (the folder may be a shared
/// one, e.g. <c>/tmp</c>), and only entries last written before this process started (no live request of this process
/// owns them; one process uses a data folder at a time).
/// </summary>
internal static partial class TempLeftovers
{
    [GeneratedRegex(@"^(upload-[0-9a-f]{32}\.tmp|import-[0-9a-f]{32}\.part|text-[0-9a-f]{32}\.json|handover-[0-9a-f]{32}|accession-[0-9a-f]{32}|record-export-[0-9a-f]{32}|sort-[0-9a-f]{32}\.run)$")]
    private static partial Regex OwnName();

    /// <summary>Removes the leftovers in <paramref name="folder"/>; returns how many entries were removed.</summary>
    public static int Remove(string folder)
    {
        if (!Directory.Exists(folder))
        {
            return 0;
        }

        using var self = Process.GetCurrentProcess();
        var started = self.StartTime.ToUniversalTime();
        var removed = 0;
        foreach (var entry in new DirectoryInfo(folder).EnumerateFileSystemInfos())
        {
            if (!OwnName().IsMatch(entry.Name) || entry.LastWriteTimeUtc >= started)
            {
                continue;
            }

            try
            {
                if (entry is DirectoryInfo dir)
                {
                    dir.Delete(recursive: true);
                }
                else
                {
                    entry.Delete();
                }

                removed++;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Left for the next start.
            }
        }

        return removed;
    }
}

using System.Text.Json;

namespace Archive.Search.Elastic.Tests.Support;

/// <summary>The shared research corpus (ALQAC 2022, Vietnamese legal text), read where it lies; never copied into the repository.</summary>
public static class Corpus
{
    /// <summary>Path of <c>shared/corpus/alqac/alqac2022/corpus.jsonl</c> beside the work tree, or null.</summary>
    public static string? AlqacPath()
    {
        var candidates = new List<string>();
        if (Environment.GetEnvironmentVariable("ARCHIVE_SHARED_DIR") is { Length: > 0 } shared)
        {
            candidates.Add(shared);
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            candidates.Add(Path.Combine(dir.FullName, "shared"));
        }

        candidates.Add("/work/shared");
        return candidates.Select(c => Path.Combine(c, "corpus", "alqac", "alqac2022", "corpus.jsonl")).FirstOrDefault(File.Exists);
    }

    /// <summary>The text of the first <paramref name="count"/> records.</summary>
    public static IEnumerable<string> Texts(string path, int count)
    {
        foreach (var line in File.ReadLines(path).Take(count))
        {
            using var doc = JsonDocument.Parse(line);
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                if (p.Value.ValueKind == JsonValueKind.String && p.Name is "text" or "title" or "content")
                {
                    yield return p.Value.GetString()!;
                }
            }
        }
    }
}

using System.Text.RegularExpressions;
using MiniBioBert.Engine.IO;
namespace MiniBioBert.Model.Checkpoints;

/// <summary>
/// Replaces a whole directory so that a crash at any moment leaves a complete copy, old or new:
/// <list type="number">
/// <item>the new contents are written into a sibling <c>dir.tmp-XXXXXXXX</c>;</item>
/// <item>an existing <c>dir</c> is renamed aside to <c>dir.old-XXXXXXXX</c>;</item>
/// <item><c>dir.tmp-XXXXXXXX</c> is renamed to <c>dir</c>;</item>
/// <item>the old copy and leftovers of earlier crashed writes (<c>dir.tmp-*</c>, <c>dir.old-*</c>) are deleted.</item>
/// </list>
/// A crash during step 1 leaves <c>dir</c> untouched; between steps 2 and 3 <c>dir</c> is briefly missing and
/// <see cref="Resolve"/> falls back to the complete <c>dir.old-*</c>; after step 3 <c>dir</c> is the new copy.
/// One writer at a time per directory: a concurrent writer's temporary directory may be deleted in step 4.
/// </summary>
internal static partial class AtomicDirectory
{
    /// <summary>Fills a fresh temporary directory through <paramref name="fill"/>, then swaps it in as <paramref name="directory"/>.</summary>
    public static void Replace(string directory, Action<string> fill)
    {
        string target = Normalize(directory);
        string suffix = AtomicFile.RandomSuffix();
        string temporary = $"{target}.tmp-{suffix}";
        Directory.CreateDirectory(temporary);
        try
        {
            fill(temporary);
        }
        catch
        {
            Directory.Delete(temporary, recursive: true);
            throw;
        }
        if (Directory.Exists(target))
        {
            Directory.Move(target, $"{target}.old-{suffix}");
        }
        Directory.Move(temporary, target);
        foreach (string leftover in Leftovers(target, "tmp").Concat(Leftovers(target, "old")).ToList())
        {
            Directory.Delete(leftover, recursive: true);
        }
    }

    /// <summary>
    /// The directory to read for <paramref name="directory"/>: itself when it exists, otherwise the newest
    /// <c>dir.old-*</c> a write interrupted between its two renames left behind.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">Neither exists.</exception>
    public static string Resolve(string directory)
    {
        string target = Normalize(directory);
        if (Directory.Exists(target))
        {
            return target;
        }
        return Leftovers(target, "old").OrderByDescending(Directory.GetLastWriteTimeUtc).FirstOrDefault()
            ?? throw new DirectoryNotFoundException($"Checkpoint directory '{directory}' does not exist.");
    }

    /// <summary>
    /// Removes what killed writes left in <paramref name="directory"/> (not below it): temporary files of
    /// <see cref="AtomicFile"/> (<c>name.tmp-XXXXXXXX</c>) and temporary directories of <see cref="Replace"/>
    /// (<c>dir.tmp-XXXXXXXX</c>); an old copy <c>dir.old-XXXXXXXX</c> is deleted when <c>dir</c> exists and otherwise
    /// renamed back to <c>dir</c> (the newest one), since it is then the only complete copy. Complete files and
    /// directories are never touched. One writer at a time: call it before writing, not beside another writer.
    /// </summary>
    /// <returns>The names of the removed entries (a restored old copy is listed as <c>old → dir</c>).</returns>
    public static List<string> CleanLeftovers(string directory)
    {
        var removed = new List<string>();
        if (!Directory.Exists(directory))
        {
            return removed;
        }
        foreach (string file in Directory.EnumerateFiles(directory).Where(f => LeftoverName().Match(Path.GetFileName(f)).Groups[2].Value == "tmp").ToList())
        {
            File.Delete(file);
            removed.Add(Path.GetFileName(file));
        }
        var leftovers = Directory.EnumerateDirectories(directory)
            .Select(d => (Path: d, Match: LeftoverName().Match(Path.GetFileName(d))))
            .Where(d => d.Match.Success)
            .OrderByDescending(d => Directory.GetLastWriteTimeUtc(d.Path))
            .ToList();
        foreach (var (path, match) in leftovers)
        {
            string target = Path.Combine(directory, match.Groups[1].Value);
            if (match.Groups[2].Value == "old" && !Directory.Exists(target) && !File.Exists(target))
            {
                Directory.Move(path, target); // the newest old copy: the only complete one
                removed.Add($"{Path.GetFileName(path)} → {Path.GetFileName(target)}");
                continue;
            }
            Directory.Delete(path, recursive: true);
            removed.Add(Path.GetFileName(path));
        }
        return removed;
    }

    [GeneratedRegex(@"^(.+)\.(tmp|old)-[0-9a-f]{8}$")]
    private static partial Regex LeftoverName();

    private static string Normalize(string directory) => Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));

    private static IEnumerable<string> Leftovers(string target, string kind)
    {
        string parent = Path.GetDirectoryName(target)!;
        return Directory.Exists(parent)
            ? Directory.EnumerateDirectories(parent, $"{Path.GetFileName(target)}.{kind}-*")
            : [];
    }
}

<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="el" sourcelanguage="en">
<context>
    <name>JobController</name>
    <message>
        <source>%1: does not exist</source>
        <translation>%1: δεν υπάρχει</translation>
    </message>
    <message>
        <source>%1: no supported images in this folder</source>
        <translation>%1: ο φάκελος δεν περιέχει υποστηριζόμενες εικόνες</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Images (%1)</source>
        <translation>Εικόνες (%1)</translation>
    </message>
    <message>
        <source>All files (*)</source>
        <translation>Όλα τα αρχεία (*)</translation>
    </message>
</context>
<context>
    <name>Settings</name>
    <message>
        <source>Fast</source>
        <translation>Γρήγορη</translation>
    </message>
    <message>
        <source>Balanced</source>
        <translation>Ισορροπημένη</translation>
    </message>
    <message>
        <source>Quality</source>
        <translation>Υψηλή ποιότητα</translation>
    </message>
</context>
<context>
    <name>Stages</name>
    <message>
        <source>Image loading</source>
        <translation>Φόρτωση εικόνας</translation>
    </message>
    <message>
        <source>Preprocessing</source>
        <translation>Προεπεξεργασία</translation>
    </message>
    <message>
        <source>Shape generation</source>
        <translation>Δημιουργία σχήματος</translation>
    </message>
    <message>
        <source>Surface extraction</source>
        <translation>Εξαγωγή επιφάνειας</translation>
    </message>
    <message>
        <source>Mesh clean-up</source>
        <translation>Καθαρισμός πλέγματος</translation>
    </message>
    <message>
        <source>Texturing</source>
        <translation>Εφαρμογή υφής</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>Εξαγωγή αρχείων</translation>
    </message>
    <message>
        <source>Queued</source>
        <translation>Σε αναμονή</translation>
    </message>
    <message>
        <source>Running</source>
        <translation>Σε εξέλιξη</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>Ολοκληρώθηκε</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Απέτυχε</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>Ακυρώθηκε</translation>
    </message>
    <message>
        <source>Diffusion step %1/%2</source>
        <translation>Βήμα διάχυσης %1/%2</translation>
    </message>
    <message>
        <source>Decoding chunk %1/%2</source>
        <translation>Αποκωδικοποίηση τμήματος %1/%2</translation>
    </message>
    <message>
        <source>Loading model weights %1/%2</source>
        <translation>Φόρτωση βαρών μοντέλου %1/%2</translation>
    </message>
    <message>
        <source>Loading model weights</source>
        <translation>Φόρτωση βαρών μοντέλου</translation>
    </message>
    <message>
        <source>Encoding the image</source>
        <translation>Κωδικοποίηση της εικόνας</translation>
    </message>
    <message>
        <source>Decoding the latents</source>
        <translation>Αποκωδικοποίηση των λανθανουσών μεταβλητών</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <source>less than a second left</source>
        <translation>απομένει λιγότερο από ένα δευτερόλεπτο</translation>
    </message>
    <message numerus="yes">
        <source>about %n s left</source>
        <translation>
            <numerusform>απομένει περίπου %n δευτερόλεπτο</numerusform>
            <numerusform>απομένουν περίπου %n δευτερόλεπτα</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>about %n min left</source>
        <translation>
            <numerusform>απομένει περίπου %n λεπτό</numerusform>
            <numerusform>απομένουν περίπου %n λεπτά</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 GB</source>
        <translation>%1 GB</translation>
    </message>
    <message>
        <source>%1 MB</source>
        <translation>%1 MB</translation>
    </message>
    <message>
        <source>%1 kB</source>
        <translation>%1 kB</translation>
    </message>
</context>
<context>
    <name>Studio</name>
    <message>
        <source>ORFEAS Studio: turn an image into a textured 3D model.</source>
        <translation>ORFEAS Studio: μετατρέψτε μια εικόνα σε τρισδιάστατο μοντέλο με υφή.</translation>
    </message>
    <message>
        <source>Interface language for this run: en, el or de.</source>
        <translation>Γλώσσα της διεπαφής για αυτή την εκτέλεση: en, el ή de.</translation>
    </message>
    <message>
        <source>code</source>
        <translation>κωδικός</translation>
    </message>
    <message>
        <source>Start with the default window layout.</source>
        <translation>Έναρξη με την προεπιλεγμένη διάταξη παραθύρου.</translation>
    </message>
    <message>
        <source>Images or folders to turn into models.</source>
        <translation>Εικόνες ή φάκελοι προς μετατροπή σε μοντέλα.</translation>
    </message>
</context>
<context>
    <name>Viewport</name>
    <message>
        <source>No model</source>
        <translation>Κανένα μοντέλο</translation>
    </message>
    <message>
        <source>%1 vertices · %2 faces · size %3 × %4 × %5</source>
        <translation>%1 κορυφές · %2 έδρες · μέγεθος %3 × %4 × %5</translation>
    </message>
    <message>
        <source>The 3D view is off on the &apos;%1&apos; platform.</source>
        <translation>Η τρισδιάστατη προβολή είναι απενεργοποιημένη στην πλατφόρμα «%1».</translation>
    </message>
    <message>
        <source>The 3D view needs OpenGL, which could not be initialised.</source>
        <translation>Η τρισδιάστατη προβολή χρειάζεται OpenGL, το οποίο δεν ήταν δυνατό να αρχικοποιηθεί.</translation>
    </message>
    <message>
        <source>The 3D view is turned off (ORFEAS_VIEWPORT).</source>
        <translation>Η τρισδιάστατη προβολή είναι απενεργοποιημένη (ORFEAS_VIEWPORT).</translation>
    </message>
</context>
<context>
    <name>orfeas::ui::AboutDialog</name>
    <message>
        <source>About ORFEAS Studio</source>
        <translation>Σχετικά με το ORFEAS Studio</translation>
    </message>
    <message>
        <source>available</source>
        <translation>διαθέσιμη</translation>
    </message>
    <message>
        <source>not available</source>
        <translation>μη διαθέσιμη</translation>
    </message>
    <message>
        <source>&lt;h2&gt;ORFEAS Studio %1&lt;/h2&gt;&lt;p&gt;Turns one image into a textured 3D model: Hunyuan3D-2 on an NVIDIA GPU when its weights are installed, classic silhouette inflation on the CPU otherwise.&lt;/p&gt;</source>
        <translation>&lt;h2&gt;ORFEAS Studio %1&lt;/h2&gt;&lt;p&gt;Μετατρέπει μία εικόνα σε τρισδιάστατο μοντέλο με υφή: με το Hunyuan3D-2 σε κάρτα γραφικών NVIDIA όταν είναι εγκατεστημένα τα βάρη του, αλλιώς με την κλασική διόγκωση περιγράμματος στον επεξεργαστή.&lt;/p&gt;</translation>
    </message>
    <message>
        <source>&lt;p&gt;&lt;b&gt;Build:&lt;/b&gt; %1&lt;br&gt;&lt;b&gt;Qt:&lt;/b&gt; %2&lt;br&gt;&lt;b&gt;GPU:&lt;/b&gt; %3&lt;/p&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;Κατασκευή:&lt;/b&gt; %1&lt;br&gt;&lt;b&gt;Qt:&lt;/b&gt; %2&lt;br&gt;&lt;b&gt;GPU:&lt;/b&gt; %3&lt;/p&gt;</translation>
    </message>
    <message>
        <source>&lt;p&gt;&lt;b&gt;Shape backends:&lt;/b&gt;&lt;/p&gt;&lt;ul&gt;%1&lt;/ul&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;Μηχανές σχήματος:&lt;/b&gt;&lt;/p&gt;&lt;ul&gt;%1&lt;/ul&gt;</translation>
    </message>
    <message>
        <source>&lt;p&gt;&lt;b&gt;Settings:&lt;/b&gt; %1&lt;br&gt;&lt;b&gt;Log:&lt;/b&gt; %2&lt;/p&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;Ρυθμίσεις:&lt;/b&gt; %1&lt;br&gt;&lt;b&gt;Αρχείο καταγραφής:&lt;/b&gt; %2&lt;/p&gt;</translation>
    </message>
</context>
<context>
    <name>orfeas::ui::DropZone</name>
    <message>
        <source>Drop images or folders here, click to open files, or paste an image with Ctrl+V</source>
        <translation>Αφήστε εδώ εικόνες ή φακέλους, κάντε κλικ για να ανοίξετε αρχεία ή επικολλήστε μια εικόνα με Ctrl+V</translation>
    </message>
    <message>
        <source>Only local files can be opened; skipped: %1</source>
        <translation>Ανοίγουν μόνο τοπικά αρχεία. Παραλείφθηκαν: %1</translation>
    </message>
    <message>
        <source>Dropped image</source>
        <translation>Εικόνα από μεταφορά</translation>
    </message>
    <message>
        <source>Drop images or folders here
click to browse · Ctrl+V to paste</source>
        <translation>Αφήστε εδώ εικόνες ή φακέλους
κλικ για αναζήτηση · Ctrl+V για επικόλληση</translation>
    </message>
</context>
<context>
    <name>orfeas::ui::ExportBar</name>
    <message>
        <source>Save to:</source>
        <translation>Αποθήκευση σε:</translation>
    </message>
    <message>
        <source>…</source>
        <translation>…</translation>
    </message>
    <message>
        <source>Choose the output folder</source>
        <translation>Επιλογή φακέλου εξόδου</translation>
    </message>
    <message>
        <source>Open the output folder</source>
        <translation>Άνοιγμα του φακέλου εξόδου</translation>
    </message>
    <message>
        <source>Formats:</source>
        <translation>Μορφές:</translation>
    </message>
    <message>
        <source>glTF binary with the texture inside</source>
        <translation>Δυαδικό glTF με ενσωματωμένη την υφή</translation>
    </message>
    <message>
        <source>OBJ with MTL and a PNG texture</source>
        <translation>OBJ με MTL και υφή PNG</translation>
    </message>
    <message>
        <source>STL: geometry only, for printing</source>
        <translation>STL: μόνο γεωμετρία, για εκτύπωση</translation>
    </message>
    <message>
        <source>PLY with vertex colours</source>
        <translation>PLY με χρώματα κορυφών</translation>
    </message>
</context>
<context>
    <name>orfeas::ui::GpuPanel</name>
    <message>
        <source>Looking for GPUs…</source>
        <translation>Αναζήτηση καρτών γραφικών…</translation>
    </message>
    <message>
        <source>Utilisation</source>
        <translation>Χρήση</translation>
    </message>
    <message>
        <source>Memory</source>
        <translation>Μνήμη</translation>
    </message>
    <message>
        <source>Temperature</source>
        <translation>Θερμοκρασία</translation>
    </message>
    <message>
        <source>Power</source>
        <translation>Ισχύς</translation>
    </message>
    <message>
        <source>Utilisation %</source>
        <translation>Χρήση %</translation>
    </message>
    <message>
        <source>Memory %</source>
        <translation>Μνήμη %</translation>
    </message>
    <message>
        <source>seconds</source>
        <translation>δευτερόλεπτα</translation>
    </message>
    <message>
        <source>No NVIDIA GPU detected</source>
        <translation>Δεν εντοπίστηκε κάρτα γραφικών NVIDIA</translation>
    </message>
    <message>
        <source>NVML reports no devices.</source>
        <translation>Το NVML δεν αναφέρει καμία συσκευή.</translation>
    </message>
    <message>
        <source>GPU %1: %2 (%3)</source>
        <translation>GPU %1: %2 (%3)</translation>
    </message>
    <message>
        <source>%1 %</source>
        <translation>%1 %</translation>
    </message>
    <message>
        <source>%1 of %2 (%3 %)</source>
        <translation>%1 από %2 (%3 %)</translation>
    </message>
    <message>
        <source>%1 °C</source>
        <translation>%1 °C</translation>
    </message>
    <message>
        <source>not reported</source>
        <translation>δεν αναφέρεται</translation>
    </message>
    <message>
        <source>%1 W</source>
        <translation>%1 W</translation>
    </message>
</context>
<context>
    <name>orfeas::ui::ImagePreviewPanel</name>
    <message>
        <source>Input</source>
        <translation>Είσοδος</translation>
    </message>
    <message>
        <source>Seen by the shape stage</source>
        <translation>Όπως τη βλέπει το στάδιο σχήματος</translation>
    </message>
    <message>
        <source>Mask</source>
        <translation>Μάσκα</translation>
    </message>
    <message>
        <source>Preprocessing did not finish for this job.</source>
        <translation>Η προεπεξεργασία δεν ολοκληρώθηκε για αυτή την εργασία.</translation>
    </message>
    <message>
        <source>The mask comes from the image&apos;s own transparency.</source>
        <translation>Η μάσκα προέρχεται από τη διαφάνεια της ίδιας της εικόνας.</translation>
    </message>
    <message>
        <source>The mask comes from background removal: check that it covers the subject and nothing else.</source>
        <translation>Η μάσκα προέρχεται από την αφαίρεση φόντου: ελέγξτε ότι καλύπτει το θέμα και τίποτε άλλο.</translation>
    </message>
    <message>
        <source>The input, the image the shape stage sees and the mask appear here when the job ends.</source>
        <translation>Η είσοδος, η εικόνα που βλέπει το στάδιο σχήματος και η μάσκα εμφανίζονται εδώ όταν τελειώσει η εργασία.</translation>
    </message>
</context>
<context>
    <name>orfeas::ui::JobController</name>
    <message>
        <source>Cannot create the output folder %1</source>
        <translation>Δεν είναι δυνατή η δημιουργία του φακέλου εξόδου %1</translation>
    </message>
    <message>
        <source>The settings are not valid: %1</source>
        <translation>Οι ρυθμίσεις δεν είναι έγκυρες: %1</translation>
    </message>
    <message>
        <source>%1: its output already exists</source>
        <translation>%1: τα αρχεία εξόδου του υπάρχουν ήδη</translation>
    </message>
    <message numerus="yes">
        <source>%n job(s) added.</source>
        <translation>
            <numerusform>Προστέθηκε %n εργασία.</numerusform>
            <numerusform>Προστέθηκαν %n εργασίες.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n file(s) skipped: %1</source>
        <translation>
            <numerusform>Παραλείφθηκε %n αρχείο: %1</numerusform>
            <numerusform>Παραλείφθηκαν %n αρχεία: %1</numerusform>
        </translation>
    </message>
    <message>
        <source>The clipboard holds no image</source>
        <translation>Το πρόχειρο δεν περιέχει εικόνα</translation>
    </message>
    <message>
        <source>The image is too large (%1 × %2)</source>
        <translation>Η εικόνα είναι πολύ μεγάλη (%1 × %2)</translation>
    </message>
</context>
<context>
    <name>orfeas::ui::JobListPanel</name>
    <message>
        <source>&amp;Cancel Job</source>
        <translation>&amp;Ακύρωση εργασίας</translation>
    </message>
    <message>
        <source>&amp;Retry Job</source>
        <translation>Επα&amp;νάληψη εργασίας</translation>
    </message>
    <message>
        <source>Re&amp;move Job</source>
        <translation>Α&amp;φαίρεση εργασίας</translation>
    </message>
    <message>
        <source>Show &amp;Output</source>
        <translation>Εμφάνιση α&amp;ποτελεσμάτων</translation>
    </message>
    <message>
        <source>Remove &amp;Finished Jobs</source>
        <translation>Αφαίρεση &amp;ολοκληρωμένων εργασιών</translation>
    </message>
</context>
<context>
    <name>orfeas::ui::JobModel</name>
    <message>
        <source>Running: %1</source>
        <translation>Σε εξέλιξη: %1</translation>
    </message>
    <message>
        <source>Failed: %1</source>
        <translation>Απέτυχε: %1</translation>
    </message>
    <message numerus="yes">
        <source>%n log line(s) dropped: the engine logged faster than the window could show</source>
        <translation>
            <numerusform>Απορρίφθηκε %n γραμμή καταγραφής: η μηχανή κατέγραφε ταχύτερα απ’ όσο μπορούσε να δείξει το παράθυρο</numerusform>
            <numerusform>Απορρίφθηκαν %n γραμμές καταγραφής: η μηχανή κατέγραφε ταχύτερα απ’ όσο μπορούσε να δείξει το παράθυρο</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>orfeas::ui::LogPanel</name>
    <message>
        <source>Debug and above</source>
        <translation>Αποσφαλμάτωση και πάνω</translation>
    </message>
    <message>
        <source>Info and above</source>
        <translation>Πληροφορίες και πάνω</translation>
    </message>
    <message>
        <source>Warnings and errors</source>
        <translation>Προειδοποιήσεις και σφάλματα</translation>
    </message>
    <message>
        <source>Errors only</source>
        <translation>Μόνο σφάλματα</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>Καθαρισμός</translation>
    </message>
    <message>
        <source>Cannot write the log file %1: %2</source>
        <translation>Δεν είναι δυνατή η εγγραφή στο αρχείο καταγραφής %1: %2</translation>
    </message>
</context>
<context>
    <name>orfeas::ui::MainWindow</name>
    <message>
        <source>ORFEAS Studio</source>
        <translation>ORFEAS Studio</translation>
    </message>
    <message>
        <source>Replace existing files?</source>
        <translation>Αντικατάσταση υπαρχόντων αρχείων;</translation>
    </message>
    <message numerus="yes">
        <source>%n output file(s) already exist, for example:
%1</source>
        <translation>
            <numerusform>%n αρχείο εξόδου υπάρχει ήδη, για παράδειγμα:
%1</numerusform>
            <numerusform>%n αρχεία εξόδου υπάρχουν ήδη, για παράδειγμα:
%1</numerusform>
        </translation>
    </message>
    <message>
        <source>Replace</source>
        <translation>Αντικατάσταση</translation>
    </message>
    <message>
        <source>Skip These Images</source>
        <translation>Παράλειψη αυτών των εικόνων</translation>
    </message>
    <message>
        <source>none (%1)</source>
        <translation>καμία (%1)</translation>
    </message>
    <message>
        <source>Stored settings were not usable and were reset: %1</source>
        <translation>Οι αποθηκευμένες ρυθμίσεις δεν μπορούσαν να χρησιμοποιηθούν και επαναφέρθηκαν: %1</translation>
    </message>
    <message>
        <source>Jobs</source>
        <translation>Εργασίες</translation>
    </message>
    <message>
        <source>Stages</source>
        <translation>Στάδια</translation>
    </message>
    <message>
        <source>GPU</source>
        <translation>GPU</translation>
    </message>
    <message>
        <source>Images</source>
        <translation>Εικόνες</translation>
    </message>
    <message>
        <source>Log</source>
        <translation>Καταγραφή</translation>
    </message>
    <message>
        <source>%1 failed: %2</source>
        <translation>%1: αποτυχία: %2</translation>
    </message>
    <message>
        <source>%1 running · %2 queued · %3 done · %4 failed or cancelled</source>
        <translation>%1 σε εξέλιξη · %2 σε αναμονή · %3 ολοκληρωμένες · %4 αποτυχημένες ή ακυρωμένες</translation>
    </message>
    <message>
        <source>Quit ORFEAS Studio?</source>
        <translation>Έξοδος από το ORFEAS Studio;</translation>
    </message>
    <message numerus="yes">
        <source>%n job(s) are still queued or running. Cancel them and quit?</source>
        <translation>
            <numerusform>%n εργασία είναι ακόμη σε αναμονή ή σε εξέλιξη. Να ακυρωθεί και να γίνει έξοδος;</numerusform>
            <numerusform>%n εργασίες είναι ακόμη σε αναμονή ή σε εξέλιξη. Να ακυρωθούν και να γίνει έξοδος;</numerusform>
        </translation>
    </message>
    <message>
        <source>&amp;Open Images…</source>
        <translation>&amp;Άνοιγμα εικόνων…</translation>
    </message>
    <message>
        <source>Open &amp;Folder…</source>
        <translation>Άνοιγμα &amp;φακέλου…</translation>
    </message>
    <message>
        <source>&amp;Paste Image</source>
        <translation>&amp;Επικόλληση εικόνας</translation>
    </message>
    <message>
        <source>Open Output F&amp;older</source>
        <translation>Άνοιγμα φακέλου ε&amp;ξόδου</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Τερματισμός</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>&amp;Ρυθμίσεις…</translation>
    </message>
    <message>
        <source>&amp;Models…</source>
        <translation>&amp;Μοντέλα…</translation>
    </message>
    <message>
        <source>Cancel &amp;All Jobs</source>
        <translation>Ακύρωση ό&amp;λων των εργασιών</translation>
    </message>
    <message>
        <source>&amp;Frame Model</source>
        <translation>Π&amp;λαισίωση μοντέλου</translation>
    </message>
    <message>
        <source>&amp;Wireframe</source>
        <translation>&amp;Συρματόπλεγμα</translation>
    </message>
    <message>
        <source>&amp;Normals</source>
        <translation>&amp;Κάθετα διανύσματα</translation>
    </message>
    <message>
        <source>&amp;Ground Grid</source>
        <translation>Πλέγμα &amp;εδάφους</translation>
    </message>
    <message>
        <source>&amp;Textured</source>
        <translation>Με &amp;υφή</translation>
    </message>
    <message>
        <source>&amp;Clay</source>
        <translation>&amp;Πηλός</translation>
    </message>
    <message>
        <source>&amp;Vertex Colours</source>
        <translation>&amp;Χρώματα κορυφών</translation>
    </message>
    <message>
        <source>&amp;About ORFEAS Studio</source>
        <translation>&amp;Σχετικά με το ORFEAS Studio</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Αρχείο</translation>
    </message>
    <message>
        <source>Open &amp;Recent</source>
        <translation>Π&amp;ρόσφατα</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>&amp;Επεξεργασία</translation>
    </message>
    <message>
        <source>&amp;Jobs</source>
        <translation>Ε&amp;ργασίες</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Προβολή</translation>
    </message>
    <message>
        <source>&amp;Shading</source>
        <translation>&amp;Σκίαση</translation>
    </message>
    <message>
        <source>&amp;Panels</source>
        <translation>Πί&amp;νακες</translation>
    </message>
    <message>
        <source>&amp;Tools</source>
        <translation>Ερ&amp;γαλεία</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Βοήθεια</translation>
    </message>
    <message>
        <source>About &amp;Qt</source>
        <translation>Σχετικά με το &amp;Qt</translation>
    </message>
    <message>
        <source>Main</source>
        <translation>Κύρια</translation>
    </message>
    <message>
        <source>No recent files</source>
        <translation>Κανένα πρόσφατο αρχείο</translation>
    </message>
    <message>
        <source>&amp;Clear List</source>
        <translation>&amp;Καθαρισμός λίστας</translation>
    </message>
    <message>
        <source>Open Images</source>
        <translation>Άνοιγμα εικόνων</translation>
    </message>
    <message>
        <source>Open a Folder of Images</source>
        <translation>Άνοιγμα φακέλου με εικόνες</translation>
    </message>
    <message>
        <source>Pasted image</source>
        <translation>Επικολλημένη εικόνα</translation>
    </message>
    <message>
        <source>not checked yet</source>
        <translation>δεν έχει ελεγχθεί ακόμη</translation>
    </message>
</context>
<context>
    <name>orfeas::ui::ModelManagerDialog</name>
    <message>
        <source>Models</source>
        <translation>Μοντέλα</translation>
    </message>
    <message>
        <source>Hunyuan3D-2 model folders found on this computer. Without a usable model (or without an NVIDIA GPU) the classic backend is used.</source>
        <translation>Φάκελοι μοντέλων Hunyuan3D-2 που βρέθηκαν σε αυτόν τον υπολογιστή. Χωρίς χρησιμοποιήσιμο μοντέλο (ή χωρίς κάρτα γραφικών NVIDIA) χρησιμοποιείται η κλασική μηχανή.</translation>
    </message>
    <message>
        <source>Variant</source>
        <translation>Παραλλαγή</translation>
    </message>
    <message>
        <source>Repository</source>
        <translation>Αποθετήριο</translation>
    </message>
    <message>
        <source>Weights</source>
        <translation>Βάρη</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>Μέγεθος</translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation>Παράμετροι</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Κατάσταση</translation>
    </message>
    <message>
        <source>Folder</source>
        <translation>Φάκελος</translation>
    </message>
    <message>
        <source>Use This Model</source>
        <translation>Χρήση αυτού του μοντέλου</translation>
    </message>
    <message>
        <source>Add Folder…</source>
        <translation>Προσθήκη φακέλου…</translation>
    </message>
    <message>
        <source>Rescan</source>
        <translation>Νέα αναζήτηση</translation>
    </message>
    <message>
        <source>Searching…</source>
        <translation>Αναζήτηση…</translation>
    </message>
    <message>
        <source>Add a folder with models</source>
        <translation>Προσθήκη φακέλου με μοντέλα</translation>
    </message>
    <message>
        <source>%1 M</source>
        <translation>%1 εκ.</translation>
    </message>
    <message>
        <source> (distilled)</source>
        <translation> (αποσταγμένο)</translation>
    </message>
    <message>
        <source>usable</source>
        <translation>χρησιμοποιήσιμο</translation>
    </message>
    <message>
        <source>No model folders found. Searched: %1</source>
        <translation>Δεν βρέθηκαν φάκελοι μοντέλων. Αναζητήθηκαν: %1</translation>
    </message>
    <message numerus="yes">
        <source>%n usable model folder(s).</source>
        <translation>
            <numerusform>%n χρησιμοποιήσιμος φάκελος μοντέλου.</numerusform>
            <numerusform>%n χρησιμοποιήσιμοι φάκελοι μοντέλων.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>orfeas::ui::SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>Ρυθμίσεις</translation>
    </message>
    <message>
        <source>Preset:</source>
        <translation>Προεπιλογή:</translation>
    </message>
    <message>
        <source>Custom</source>
        <translation>Προσαρμοσμένη</translation>
    </message>
    <message>
        <source>Fast, Balanced and Quality set steps, resolutions, the face budget and the texture size</source>
        <translation>Οι επιλογές Γρήγορη, Ισορροπημένη και Υψηλή ποιότητα ορίζουν βήματα, αναλύσεις, το όριο εδρών και το μέγεθος της υφής</translation>
    </message>
    <message>
        <source>System language</source>
        <translation>Γλώσσα συστήματος</translation>
    </message>
    <message>
        <source>Language:</source>
        <translation>Γλώσσα:</translation>
    </message>
    <message>
        <source>A new language applies the next time ORFEAS Studio starts.</source>
        <translation>Μια νέα γλώσσα ισχύει από την επόμενη εκκίνηση του ORFEAS Studio.</translation>
    </message>
    <message>
        <source>Jobs that run at the same time. CPU stages of one job overlap GPU stages of another.</source>
        <translation>Εργασίες που εκτελούνται ταυτόχρονα. Τα στάδια CPU μιας εργασίας επικαλύπτονται με τα στάδια GPU μιας άλλης.</translation>
    </message>
    <message>
        <source>Concurrent jobs:</source>
        <translation>Ταυτόχρονες εργασίες:</translation>
    </message>
    <message>
        <source>Show each job as it starts</source>
        <translation>Εμφάνιση κάθε εργασίας μόλις ξεκινά</translation>
    </message>
    <message>
        <source>auto, cpu, cuda or cuda:N</source>
        <translation>auto, cpu, cuda ή cuda:N</translation>
    </message>
    <message>
        <source>Device:</source>
        <translation>Συσκευή:</translation>
    </message>
    <message>
        <source>General</source>
        <translation>Γενικά</translation>
    </message>
    <message>
        <source>Automatic (neural when a model and a GPU are present)</source>
        <translation>Αυτόματα (νευρωνική όταν υπάρχουν μοντέλο και GPU)</translation>
    </message>
    <message>
        <source>Classic silhouette inflation (CPU)</source>
        <translation>Κλασική διόγκωση περιγράμματος (CPU)</translation>
    </message>
    <message>
        <source>Hunyuan3D-2 (neural)</source>
        <translation>Hunyuan3D-2 (νευρωνική)</translation>
    </message>
    <message>
        <source>Backend:</source>
        <translation>Μηχανή:</translation>
    </message>
    <message>
        <source>found automatically</source>
        <translation>εντοπίζεται αυτόματα</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>Περιήγηση…</translation>
    </message>
    <message>
        <source>Models…</source>
        <translation>Μοντέλα…</translation>
    </message>
    <message>
        <source>Model folder:</source>
        <translation>Φάκελος μοντέλου:</translation>
    </message>
    <message>
        <source>Classic</source>
        <translation>Κλασική</translation>
    </message>
    <message>
        <source>Grid resolution:</source>
        <translation>Ανάλυση πλέγματος:</translation>
    </message>
    <message>
        <source>Depth of the inflated body; 1 gives round cross-sections</source>
        <translation>Βάθος του διογκωμένου σώματος· το 1 δίνει στρογγυλές διατομές</translation>
    </message>
    <message>
        <source>Thickness:</source>
        <translation>Πάχος:</translation>
    </message>
    <message>
        <source>Neural</source>
        <translation>Νευρωνική</translation>
    </message>
    <message>
        <source>Diffusion steps:</source>
        <translation>Βήματα διάχυσης:</translation>
    </message>
    <message>
        <source>Guidance scale:</source>
        <translation>Κλίμακα καθοδήγησης:</translation>
    </message>
    <message>
        <source>Seed:</source>
        <translation>Σπόρος:</translation>
    </message>
    <message>
        <source>Octree resolution:</source>
        <translation>Ανάλυση οκταδικού δέντρου:</translation>
    </message>
    <message>
        <source>automatic</source>
        <translation>αυτόματο</translation>
    </message>
    <message>
        <source>Points per decoding chunk; automatic sizes it from free GPU memory</source>
        <translation>Σημεία ανά τμήμα αποκωδικοποίησης· στο «αυτόματο» ορίζεται από την ελεύθερη μνήμη της GPU</translation>
    </message>
    <message>
        <source>Chunk size:</source>
        <translation>Μέγεθος τμήματος:</translation>
    </message>
    <message>
        <source>Hierarchical (fast)</source>
        <translation>Ιεραρχική (γρήγορη)</translation>
    </message>
    <message>
        <source>Dense</source>
        <translation>Πυκνή</translation>
    </message>
    <message>
        <source>Decoding:</source>
        <translation>Αποκωδικοποίηση:</translation>
    </message>
    <message>
        <source>Precision:</source>
        <translation>Ακρίβεια:</translation>
    </message>
    <message>
        <source>Save GPU memory (slower)</source>
        <translation>Εξοικονόμηση μνήμης GPU (πιο αργά)</translation>
    </message>
    <message>
        <source>Shape</source>
        <translation>Σχήμα</translation>
    </message>
    <message>
        <source>Preprocessed size:</source>
        <translation>Μέγεθος μετά την προεπεξεργασία:</translation>
    </message>
    <message>
        <source>Empty border around the subject, as a share of the image</source>
        <translation>Κενό περιθώριο γύρω από το θέμα, ως ποσοστό της εικόνας</translation>
    </message>
    <message>
        <source>Border ratio:</source>
        <translation>Αναλογία περιθωρίου:</translation>
    </message>
    <message>
        <source>Colour distance that still counts as background when an image has no transparency</source>
        <translation>Χρωματική απόσταση που θεωρείται ακόμη φόντο όταν η εικόνα δεν έχει διαφάνεια</translation>
    </message>
    <message>
        <source>Background tolerance:</source>
        <translation>Ανοχή φόντου:</translation>
    </message>
    <message>
        <source>Image</source>
        <translation>Εικόνα</translation>
    </message>
    <message>
        <source>no reduction</source>
        <translation>χωρίς μείωση</translation>
    </message>
    <message>
        <source>Face budget:</source>
        <translation>Όριο εδρών:</translation>
    </message>
    <message>
        <source>Loose parts smaller than this share of the largest part are removed</source>
        <translation>Αποσπασμένα κομμάτια μικρότερα από αυτό το ποσοστό του μεγαλύτερου αφαιρούνται</translation>
    </message>
    <message>
        <source>Smallest part kept:</source>
        <translation>Μικρότερο κομμάτι που διατηρείται:</translation>
    </message>
    <message>
        <source>Texture size:</source>
        <translation>Μέγεθος υφής:</translation>
    </message>
    <message>
        <source>GLB</source>
        <translation>GLB</translation>
    </message>
    <message>
        <source>OBJ + MTL + PNG</source>
        <translation>OBJ + MTL + PNG</translation>
    </message>
    <message>
        <source>STL</source>
        <translation>STL</translation>
    </message>
    <message>
        <source>PLY</source>
        <translation>PLY</translation>
    </message>
    <message>
        <source>Export formats:</source>
        <translation>Μορφές εξαγωγής:</translation>
    </message>
    <message>
        <source>Mesh and export</source>
        <translation>Πλέγμα και εξαγωγή</translation>
    </message>
    <message>
        <source>Cannot use these settings: %1</source>
        <translation>Αυτές οι ρυθμίσεις δεν μπορούν να χρησιμοποιηθούν: %1</translation>
    </message>
    <message>
        <source>Choose a model folder</source>
        <translation>Επιλογή φακέλου μοντέλου</translation>
    </message>
</context>
<context>
    <name>orfeas::ui::StagePanel</name>
    <message>
        <source>Stage</source>
        <translation>Στάδιο</translation>
    </message>
    <message>
        <source>Progress</source>
        <translation>Πρόοδος</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Χρόνος</translation>
    </message>
    <message>
        <source>Left</source>
        <translation>Απομένει</translation>
    </message>
    <message>
        <source>Detail</source>
        <translation>Λεπτομέρεια</translation>
    </message>
    <message>
        <source>No job selected</source>
        <translation>Δεν έχει επιλεγεί εργασία</translation>
    </message>
    <message>
        <source>Waiting for a free worker…</source>
        <translation>Αναμονή για ελεύθερη θέση εκτέλεσης…</translation>
    </message>
    <message>
        <source>Elapsed %1</source>
        <translation>Πέρασαν %1</translation>
    </message>
    <message>
        <source>Share of total</source>
        <translation>Μερίδιο του συνόλου</translation>
    </message>
    <message>
        <source>cancelled here</source>
        <translation>ακυρώθηκε εδώ</translation>
    </message>
    <message>
        <source>failed here</source>
        <translation>απέτυχε εδώ</translation>
    </message>
    <message>
        <source>Done in %1 with the %2 backend: %3 vertices, %4 faces.</source>
        <translation>Ολοκληρώθηκε σε %1 με τη μηχανή %2: %3 κορυφές, %4 έδρες.</translation>
    </message>
    <message>
        <source>Cancelled after %1.</source>
        <translation>Ακυρώθηκε μετά από %1.</translation>
    </message>
    <message>
        <source>Failed after %1: %2</source>
        <translation>Απέτυχε μετά από %1: %2</translation>
    </message>
    <message>
        <source>Slowest stage: %1 (%2 % of the total).</source>
        <translation>Πιο αργό στάδιο: %1 (%2 % του συνόλου).</translation>
    </message>
    <message>
        <source>image %1, in parallel</source>
        <translation>εικόνα %1, παράλληλα</translation>
    </message>
</context>
</TS>

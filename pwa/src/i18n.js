// The app's own texts in French and English: t(key, params) in the current language.
// Each entry is [French, English]; `{name}` in a text is replaced by params.name.
// The language is French until initLang() (browser only) picks the saved or preferred one.

export const LANGS = ['fr', 'en'];
export const DEFAULT_LANG = 'fr';
export const STORAGE_KEY = 'balade.lang';

/** [fr, en] by key, grouped by prefix. */
const ENTRIES = {
  // --- Shell (index.html, main.js)
  'app.skip': ['Aller au contenu', 'Skip to content'],
  'app.tagline': ['Randonnée et patrimoine', 'Hiking and heritage'],
  'app.nav': ['Navigation principale', 'Main navigation'],
  'app.navCircuits': ['Circuits', 'Trails'],
  'app.navOffline': ['Téléchargés', 'Downloaded'],
  'app.offline': [
    'Vous êtes hors ligne : seules les pages déjà consultées et les circuits téléchargés sont disponibles.',
    'You are offline: only pages already visited and downloaded trails are available.',
  ],
  'app.update': ['Une nouvelle version de Balade est disponible.', 'A new version of Balade is available.'],
  'app.reload': ['Recharger', 'Reload'],
  'app.footer': ['Balade, plateforme ouverte de randonnée et de patrimoine.', 'Balade, an open platform for hiking and heritage.'],
  'app.description': ['Balade : circuits de randonnée et découverte du patrimoine.', 'Balade: hiking trails and heritage discovery.'],
  'app.langLabel': ['Langue / Language', 'Langue / Language'],
  'app.notFoundTitle': ['Page introuvable', 'Page not found'],
  'app.notFoundText': ['Cette adresse ne correspond à aucune page de Balade.', 'This address does not match any page of Balade.'],
  'app.seeList': ['Voir la liste des circuits', 'See the list of trails'],
  'app.openData': ['Données ouvertes', 'Open data'],

  // --- Common
  'common.retry': ['Réessayer', 'Try again'],
  'common.close': ['Fermer', 'Close'],
  'common.loading': ['Chargement…', 'Loading…'],
  'common.breadcrumb': ['Fil d’Ariane', 'Breadcrumb'],
  'common.none': ['Aucun', 'None'],
  'common.unknown': ['Non renseigné', 'Not specified'],
  'common.error': ['Erreur', 'Error'],
  'common.newTab': [' (nouvel onglet)', ' (new tab)'],

  // --- API errors
  'api.unreachable': ['Le serveur est injoignable. Vérifiez votre connexion.', 'The server cannot be reached. Check your connection.'],
  'api.http': ['Erreur HTTP {status}', 'HTTP error {status}'],
  'api.invalid': ['Réponse invalide du serveur.', 'Invalid response from the server.'],

  // --- Labels of values (format.js)
  'difficulty.easy': ['Facile', 'Easy'],
  'difficulty.medium': ['Moyenne', 'Medium'],
  'difficulty.hard': ['Difficile', 'Hard'],
  'difficulty.very_hard': ['Très difficile', 'Very hard'],
  'type.loop': ['Boucle', 'Loop'],
  'type.return': ['Aller-retour', 'Out and back'],
  'type.one_way': ['Aller simple', 'One way'],
  'practice.walk': ['Randonnée pédestre', 'Hiking'],
  'practice.mtb': ['VTT', 'Mountain biking'],
  'practice.bike': ['Vélo', 'Cycling'],
  'practice.horse': ['Équestre', 'Horse riding'],
  'poiKind.heritage': ['Patrimoine', 'Heritage'],
  'poiKind.fauna': ['Faune', 'Fauna'],
  'poiKind.flora': ['Flore', 'Flora'],
  'poiKind.landscape': ['Paysage', 'Landscape'],
  'poiKind.viewpoint': ['Point de vue', 'Viewpoint'],
  'poiKind.lodging': ['Hébergement', 'Lodging'],
  'poiKind.food': ['Restauration', 'Food'],
  'poiKind.practical': ['Services pratiques', 'Practical services'],
  'compass.n': ['nord', 'north'],
  'compass.ne': ['nord-est', 'north-east'],
  'compass.e': ['est', 'east'],
  'compass.se': ['sud-est', 'south-east'],
  'compass.s': ['sud', 'south'],
  'compass.sw': ['sud-ouest', 'south-west'],
  'compass.w': ['ouest', 'west'],
  'compass.nw': ['nord-ouest', 'north-west'],
  'months.short': [
    'janv.,févr.,mars,avr.,mai,juin,juil.,août,sept.,oct.,nov.,déc.',
    'Jan,Feb,Mar,Apr,May,Jun,Jul,Aug,Sep,Oct,Nov,Dec',
  ],

  // --- Units and counts (format.js)
  'unit.s': ['{s} s', '{s} s'],
  'unit.min': ['{m} min', '{m} min'],
  'unit.h': ['{h} h', '{h} h'],
  'unit.hmin': ['{h} h {m} min', '{h} h {m} min'],
  'unit.bytes': ['{n} o', '{n} B'],
  'unit.kb': ['{n} Ko', '{n} kB'],
  'unit.mb': ['{n} Mo', '{n} MB'],
  'unit.dateTime': ['{date} à {time}', '{date} at {time}'],
  'count.zero': ['Aucun circuit', 'No trail'],
  'count.one': ['1 circuit', '1 trail'],
  'count.many': ['{n} circuits', '{n} trails'],

  // --- Figures (list, sheet)
  'fig.distance': ['Distance', 'Distance'],
  'fig.duration': ['Durée', 'Duration'],
  'fig.ascent': ['Dénivelé positif', 'Elevation gain'],
  'fig.descent': ['Dénivelé négatif', 'Elevation loss'],
  'fig.altitude': ['Altitude', 'Elevation'],
  'fig.altitudeRange': ['{min} à {max}', '{min} to {max}'],
  'fig.difficulty': ['Difficulté', 'Difficulty'],
  'fig.type': ['Type', 'Type'],
  'fig.practice': ['Pratique', 'Activity'],
  'fig.themes': ['Thèmes', 'Themes'],
  'fig.away': ['Éloignement', 'Distance away'],
  'fig.awayValue': ['à {d}', '{d} away'],

  // --- Communes and intercommunalities crossed (list cards, sheet)
  'place.communeOne': ['Commune traversée', 'Commune crossed'],
  'place.communeMany': ['Communes traversées', 'Communes crossed'],
  'place.intercoOne': ['Intercommunalité', 'Intercommunality'],
  'place.intercoMany': ['Intercommunalités', 'Intercommunalities'],

  // --- List page
  'list.title': ['Trouver un circuit', 'Find a trail'],
  'list.intro': [
    'Randonnées, balades à vélo ou à cheval et découvertes du patrimoine.',
    'Hikes, bike or horse rides and heritage discoveries.',
  ],
  'list.placeholder': ['Nom, commune, lieu…', 'Name, town, place…'],
  'list.allF': ['Toutes', 'All'],
  'list.allM': ['Tous', 'All'],
  'list.radius': ['Rayon', 'Radius'],
  'list.filters': ['Filtrer les circuits', 'Filter the trails'],
  'list.search': ['Recherche', 'Search'],
  'list.difficulty': ['Difficulté', 'Difficulty'],
  'list.type': ['Type de circuit', 'Trail type'],
  'list.practice': ['Pratique', 'Activity'],
  'list.theme': ['Thème', 'Theme'],
  'list.intercommunality': ['Intercommunalité', 'Intercommunality'],
  'list.commune': ['Commune', 'Commune'],
  'list.durationMax': ['Durée maximale (minutes)', 'Maximum duration (minutes)'],
  'list.durationHint': ['Par exemple 120 pour 2 h', 'For example 120 for 2 h'],
  'list.submit': ['Rechercher', 'Search'],
  'list.reset': ['Réinitialiser', 'Reset'],
  'list.nearOff': ['Ne plus utiliser ma position', 'Stop using my location'],
  'list.nearOn': ['Autour de moi', 'Near me'],
  'list.nearStatus': ['Circuits proches de votre position.', 'Trails near your location.'],
  'list.loading': ['Chargement des circuits…', 'Loading trails…'],
  'list.cards': ['Circuits', 'Trails'],
  'list.more': ['Afficher plus de circuits', 'Show more trails'],
  'list.results': ['Résultats', 'Results'],
  'list.skipMap': ['Aller à la carte', 'Go to the map'],
  'list.mapSection': ['Carte des départs', 'Map of the starting points'],
  'list.mapLabel': ['Carte des points de départ des circuits', 'Map of the trails’ starting points'],
  'list.error': ['Impossible de charger les circuits.', 'The trails could not be loaded.'],
  'list.fromCache': ['Hors ligne : résultats enregistrés lors d’une visite précédente.', 'Offline: results saved during a previous visit.'],
  'list.empty': ['Aucun circuit ne correspond à ces critères.', 'No trail matches these criteria.'],
  'list.noGeo': ['La géolocalisation n’est pas disponible sur cet appareil.', 'Geolocation is not available on this device.'],
  'list.locating': ['Recherche de votre position…', 'Finding your location…'],
  'list.noPosition': [
    'Position indisponible (autorisation refusée ou signal absent).',
    'Location unavailable (permission denied or no signal).',
  ],

  // --- Sheet page
  'sheet.loadingTitle': ['Chargement…', 'Loading…'],
  'sheet.loading': ['Chargement du circuit…', 'Loading the trail…'],
  'sheet.back': ['Retour à la liste des circuits', 'Back to the list of trails'],
  'sheet.notFoundTitle': ['Circuit introuvable', 'Trail not found'],
  'sheet.notFoundText': [
    'Aucun circuit ne porte l’identifiant « {id} ». Il a peut-être été retiré ou renommé.',
    'No trail has the identifier “{id}”. It may have been removed or renamed.',
  ],
  'sheet.seeAll': ['Voir tous les circuits', 'See all trails'],
  'sheet.unavailable': ['Fiche indisponible', 'Trail sheet unavailable'],
  'sheet.profileLoading': ['Chargement du profil…', 'Loading the profile…'],
  'sheet.profileUnavailable': ['Profil altimétrique indisponible : {msg}', 'Elevation profile unavailable: {msg}'],
  'sheet.profileMissing': ['absent de la copie hors ligne', 'missing from the offline copy'],
  'sheet.poiAt': ['à {d} du départ', '{d} from the start'],
  'sheet.poiNoDistance': ['distance inconnue', 'unknown distance'],
  'sheet.showOnMap': ['Voir sur la carte', 'Show on the map'],
  'sheet.showOnMapLabel': ['Voir sur la carte : {name}', 'Show on the map: {name}'],
  'sheet.noPois': ['Aucun point d’intérêt n’est associé à ce circuit.', 'No point of interest is linked to this trail.'],
  'sheet.downloadAs': ['Télécharger en {format}', 'Download as {format}'],
  'sheet.gpxHint': ['GPS Exchange Format, pour GPS et applications de randonnée', 'GPS Exchange Format, for GPS devices and hiking apps'],
  'sheet.kmlHint': ['pour Google Earth et logiciels de cartographie', 'for Google Earth and mapping software'],
  'sheet.geojsonHint': ['pour les outils SIG et le web', 'for GIS tools and the web'],
  'sheet.offlineCopy': ['Hors ligne : copie téléchargée le {date}.', 'Offline: copy downloaded on {date}.'],
  'sheet.fromCache': ['Hors ligne : fiche enregistrée lors d’une visite précédente.', 'Offline: sheet saved during a previous visit.'],
  'sheet.startGuide': ['Démarrer le guidage', 'Start guidance'],
  'sheet.keyFigures': ['Chiffres clés', 'Key figures'],
  'sheet.mapSection': ['Carte du parcours', 'Route map'],
  'sheet.profileSection': ['Profil altimétrique', 'Elevation profile'],
  'sheet.description': ['Description', 'Description'],
  'sheet.noDescription': ['Pas de description.', 'No description.'],
  'sheet.media': ['Photos et médias', 'Photos and media'],
  'sheet.landscapes': ['Paysages traversés', 'Landscapes crossed'],
  'sheet.species': ['Espèces observées le long du parcours ({n})', 'Species seen along the route ({n})'],
  'sheet.offlineSection': ['Hors ligne', 'Offline'],
  'sheet.pois': ['Points d’intérêt sur le parcours ({n})', 'Points of interest along the route ({n})'],
  'sheet.downloads': ['Télécharger la trace', 'Download the track'],
  'sheet.mapLabel': ['Carte du circuit {name}', 'Map of the trail {name}'],
  'sheet.listen': ['Écouter', 'Listen'],
  'sheet.watchVideo': ['Voir la vidéo', 'Watch the video'],
  'sheet.audio': ['Enregistrement audio', 'Audio recording'],
  'sheet.video': ['Vidéo', 'Video'],
  'sheet.audioPlayer': ['{title} (lecteur audio)', '{title} (audio player)'],
  'sheet.mediaLink': ['{label} : {title}', '{label}: {title}'],

  // --- Practical information (sheet)
  'practical.title': ['Infos pratiques', 'Practical information'],
  'practical.access': ['Accès', 'Access'],
  'practical.parking': ['Stationnement', 'Parking'],
  'practical.public_transport': ['Transports en commun', 'Public transport'],
  'practical.best_season': ['Meilleure saison', 'Best season'],
  'practical.recommendations': ['Recommandations', 'Recommendations'],
  'practical.accessibility': ['Accessibilité', 'Accessibility'],
  'practical.steps': ['Itinéraire pas à pas', 'Step by step'],

  // --- Offline panel (sheet) and downloaded page
  'offline.summary': [
    'Circuit téléchargé pour hors ligne le {date} ({size}, version {version}).',
    'Trail downloaded for offline use on {date} ({size}, version {version}).',
  ],
  'offline.notYet': ['Ce circuit n’est pas encore disponible hors ligne.', 'This trail is not available offline yet.'],
  'offline.notAvailable': ['Ce circuit n’est pas disponible hors ligne.', 'This trail is not available offline.'],
  'offline.progress': ['Progression du téléchargement', 'Download progress'],
  'offline.update': ['Mettre à jour la copie hors ligne', 'Update the offline copy'],
  'offline.download': ['Télécharger pour hors ligne', 'Download for offline use'],
  'offline.preparing': ['Préparation du téléchargement…', 'Preparing the download…'],
  'offline.downloading': [
    'Téléchargement : {done} / {total} parties · {bytes} sur {totalBytes}',
    'Downloading: {done} / {total} parts · {bytes} of {totalBytes}',
  ],
  'offline.title': ['Circuits téléchargés', 'Downloaded trails'],
  'offline.intro': [
    'Ces circuits restent consultables et utilisables pour le guidage sans connexion.',
    'These trails can be viewed and used for guidance without a connection.',
  ],
  'offline.meta': ['{size} · version {version} · téléchargé le {date}', '{size} · version {version} · downloaded on {date}'],
  'offline.open': ['Ouvrir', 'Open'],
  'offline.openLabel': ['Ouvrir {name}', 'Open {name}'],
  'offline.updateShort': ['Mettre à jour', 'Update'],
  'offline.updateLabel': ['Mettre à jour {name}', 'Update {name}'],
  'offline.delete': ['Supprimer', 'Delete'],
  'offline.deleteLabel': ['Supprimer {name}', 'Delete {name}'],
  'offline.checking': ['Recherche d’une mise à jour…', 'Checking for an update…'],
  'offline.updating': ['Mise à jour : {done} / {total} parties', 'Updating: {done} / {total} parts'],
  'offline.upToDate': ['Déjà à jour.', 'Already up to date.'],
  'offline.updatedOne': ['Mis à jour : 1 partie téléchargée.', 'Updated: 1 part downloaded.'],
  'offline.updatedMany': ['Mis à jour : {n} parties téléchargées.', 'Updated: {n} parts downloaded.'],
  'offline.deleteFailed': ['Suppression impossible : {msg}', 'Could not delete: {msg}'],
  'offline.countZero': ['Aucun circuit téléchargé.', 'No downloaded trail.'],
  'offline.countOne': ['1 circuit téléchargé', '1 downloaded trail'],
  'offline.countMany': ['{n} circuits téléchargés', '{n} downloaded trails'],
  'offline.listFailed': ['Liste indisponible : {msg}', 'List unavailable: {msg}'],

  // --- Offline downloads (offline.js errors)
  'offlineErr.quota': [
    'Espace de stockage insuffisant sur cet appareil : le circuit n’a pas été téléchargé. Libérez de la place (par exemple en supprimant d’autres circuits téléchargés) puis réessayez.',
    'Not enough storage space on this device: the trail was not downloaded. Free some space (for example by deleting other downloaded trails) and try again.',
  ],
  'offlineErr.invalid': ['Le paquet hors ligne renvoyé par le serveur est invalide.', 'The offline package sent by the server is invalid.'],
  'offlineErr.mismatch': ['Le paquet hors ligne ne correspond pas à ce circuit.', 'The offline package does not match this trail.'],
  'offlineErr.duplicates': ['Le paquet hors ligne contient des parties en double.', 'The offline package contains duplicate parts.'],
  'offlineErr.noIdb': [
    'Ce navigateur ne permet pas d’enregistrer des circuits (IndexedDB absent).',
    'This browser cannot save trails (no IndexedDB).',
  ],
  'offlineErr.blocked': [
    'Base locale bloquée par un autre onglet de Balade : fermez-le puis réessayez.',
    'Local database blocked by another Balade tab: close it and try again.',
  ],
  'offlineErr.openTimeout': [
    'La base locale de l’appareil ne répond pas : rechargez la page puis réessayez.',
    'The device’s local database does not answer: reload the page and try again.',
  ],
  'offlineErr.openFailed': [
    'La base locale de l’appareil ne s’ouvre pas (navigation privée ?).',
    'The device’s local database cannot be opened (private browsing?).',
  ],
  'offlineErr.aborted': [
    'Écriture locale annulée : le circuit n’a pas été enregistré. Réessayez.',
    'Local write cancelled: the trail was not saved. Try again.',
  ],
  'offlineErr.readFailed': ['Lecture de la base locale impossible.', 'The local database could not be read.'],
  'offlineErr.unreachable': [
    'Le serveur est injoignable : vérifiez votre connexion puis réessayez.',
    'The server cannot be reached: check your connection and try again.',
  ],
  'offlineErr.offline': [
    'Vous êtes hors ligne : le téléchargement nécessite une connexion.',
    'You are offline: downloading needs a connection.',
  ],
  'offlineErr.status': ['Téléchargement interrompu : {url} a répondu {status}.', 'Download interrupted: {url} answered {status}.'],
  'offlineErr.noCaches': [
    'Ce navigateur ne permet pas d’enregistrer les fonds de carte.',
    'This browser cannot save basemap tiles.',
  ],
  'offlineErr.incomplete': [
    'Téléchargement incomplet : {url} fait {got} octets au lieu de {want}.',
    'Incomplete download: {url} is {got} bytes instead of {want}.',
  ],
  'offlineErr.corrupt': [
    'Téléchargement altéré : {url} ne correspond pas à l’empreinte SHA-256 annoncée par le serveur. Réessayez.',
    'Corrupted download: {url} does not match the SHA-256 fingerprint announced by the server. Try again.',
  ],
  'offlineErr.noCrypto': [
    'Ce navigateur ne peut pas vérifier les fichiers téléchargés (connexion non sécurisée : utilisez https).',
    'This browser cannot check downloaded files (insecure connection: use https).',
  ],
  'offlineErr.unreadable': ['Partie illisible : {url}.', 'Unreadable part: {url}.'],
  'offlineErr.cancelled': ['Téléchargement annulé', 'Download cancelled'],

  // --- Maps and profile
  'map.noBasemap': ['Aucun fond de carte configuré', 'No basemap configured'],
  'map.basemap': ['Fond de carte', 'Basemap'],
  'map.zoomIn': ['Zoom avant', 'Zoom in'],
  'map.zoomOut': ['Zoom arrière', 'Zoom out'],
  'map.closePopup': ['Fermer la bulle', 'Close the popup'],
  'map.start': ['Départ', 'Start'],
  'map.startEnd': ['Départ et arrivée', 'Start and finish'],
  'map.end': ['Arrivée', 'Finish'],
  'map.startOf': ['Départ : {name}', 'Start: {name}'],
  'map.you': ['Votre position', 'Your location'],
  'profile.unavailable': ['Profil altimétrique indisponible pour ce circuit.', 'No elevation profile for this trail.'],
  'profile.desc': [
    'Profil sur {length} : altitude de {min} à {max}, départ à {start}, arrivée à {end}, environ {ascent} de montée cumulée.',
    'Profile over {length}: elevation from {min} to {max}, start at {start}, finish at {end}, about {ascent} of total climb.',
  ],
  'profile.pois': [' Points d’intérêt : {list}.', ' Points of interest: {list}.'],
  'profile.poiAt': ['{n}. {name} à {d}', '{n}. {name} at {d}'],
  'profile.title': ['Profil altimétrique : {name}', 'Elevation profile: {name}'],
  'profile.altAxis': ['Alt.', 'Elev.'],
  'profile.distAxis': ['Distance', 'Distance'],
  'profile.captionPois': [
    'Altitude selon la distance depuis le départ ; les numéros renvoient aux points d’intérêt.',
    'Elevation by distance from the start; the numbers refer to the points of interest.',
  ],
  'profile.caption': ['Altitude selon la distance depuis le départ.', 'Elevation by distance from the start.'],

  // --- Guidance
  'guide.title': ['Guidage', 'Guidance'],
  'guide.titleOf': ['Guidage : {name}', 'Guidance: {name}'],
  'guide.back': ['Retour à la fiche du circuit', 'Back to the trail sheet'],
  'guide.preparing': ['Préparation du guidage…', 'Preparing guidance…'],
  'guide.unavailable': ['Guidage indisponible', 'Guidance unavailable'],
  'guide.notFound': ['Ce circuit est introuvable.', 'This trail cannot be found.'],
  'guide.downloadHint': ['{msg} Téléchargez le circuit pour le suivre sans connexion.', '{msg} Download the trail to follow it without a connection.'],
  'guide.waiting': ['En attente de votre position…', 'Waiting for your location…'],
  'guide.done': ['Parcouru', 'Covered'],
  'guide.remaining': ['Restant', 'Remaining'],
  'guide.eta': ['Temps restant estimé', 'Estimated time left'],
  'guide.next': ['Prochain point', 'Next point'],
  'guide.nextValue': ['{name} dans {d}', '{name} in {d}'],
  'guide.reached': ['Points d’intérêt atteints', 'Points of interest reached'],
  'guide.stop': ['Arrêter', 'Stop'],
  'guide.resume': ['Reprendre le guidage', 'Resume guidance'],
  'guide.stopped': ['Guidage arrêté.', 'Guidance stopped.'],
  'guide.fromCopy': ['Guidage depuis la copie hors ligne.', 'Guidance from the offline copy.'],
  'guide.speech': [' Lecture à voix haute', ' Read aloud'],
  'guide.speechOff': [' (indisponible)', ' (unavailable)'],
  'guide.mapLabel': ['Carte du guidage sur {name}', 'Guidance map of {name}'],
  'guide.offRoute': [
    'Vous vous écartez du parcours : à {d}, direction {dir}',
    'You are leaving the route: {d} away, heading {dir}',
  ],
  'guide.backOnRoute': ['Vous êtes de retour sur le parcours.', 'You are back on the route.'],
  'guide.entering': ['Vous entrez dans : {name}', 'You are entering: {name}'],
  'guide.imprecise': [
    'Position imprécise (± {acc}) : en attente d’une meilleure précision.',
    'Imprecise location (± {acc}): waiting for better accuracy.',
  ],
  'guide.position': ['Position reçue (± {acc}).', 'Location received (± {acc}).'],
  'guide.denied': [
    'La localisation est refusée : autorisez-la pour ce site dans les réglages du navigateur.',
    'Location is denied: allow it for this site in the browser settings.',
  ],
  'guide.noSignal': [
    'Position indisponible : vérifiez que la localisation de l’appareil est activée.',
    'Location unavailable: check that the device’s location is turned on.',
  ],
  'guide.slow': ['La position tarde à venir…', 'The location is slow to come…'],
  'guide.noPosition': ['Position indisponible.', 'Location unavailable.'],
  'guide.noGeo': ['Ce navigateur ne donne pas accès à la position.', 'This browser gives no access to the location.'],

  // --- Back-office (admin.html, admin/main.js)
  'admin.title': ['Administration', 'Back-office'],
  'admin.loginTitle': ['Connexion à l’administration', 'Log in to the back-office'],
  'admin.checking': ['Vérification de la session…', 'Checking the session…'],
  'admin.email': ['Adresse e-mail', 'E-mail address'],
  'admin.password': ['Mot de passe', 'Password'],
  'admin.logIn': ['Se connecter', 'Log in'],
  'admin.logOut': ['Se déconnecter', 'Log out'],
  'admin.loggedOut': ['Session fermée.', 'Logged out.'],
  'admin.role': ['Rôle', 'Role'],
  'admin.territory': ['Territoire', 'Territory'],
  'admin.wrongPair': ['Adresse e-mail ou mot de passe incorrect.', 'Wrong e-mail address or password.'],
  'admin.tooMany': [
    'Trop de tentatives de connexion échouées : réessayez dans {wait}.',
    'Too many failed login attempts: try again in {wait}.',
  ],
  'admin.tooManyNoWait': [
    'Trop de tentatives de connexion échouées : réessayez plus tard.',
    'Too many failed login attempts: try again later.',
  ],
  'admin.cookieRefused': [
    'Connexion acceptée, mais le navigateur n’a pas gardé la session : autorisez les cookies de ce site.',
    'Login accepted, but the browser did not keep the session: allow cookies for this site.',
  ],
  'admin.failed': ['Le serveur répond : {reason}', 'The server says: {reason}'],
  'role.admin': ['administrateur', 'admin'],
  'role.editor': ['éditeur', 'editor'],
  'role.moderator': ['modérateur', 'moderator'],

  // --- Back-office: circuits and points of interest (admin/records.js)
  'records.title': ['Circuits et points d’intérêt', 'Circuits and points of interest'],
  'records.search': ['Rechercher', 'Search'],
  'records.noneFound': ['Aucun circuit ne correspond.', 'No circuit matches.'],
  'records.isPublished': ['publié', 'published'],
  'records.notPublished': ['non publié', 'not published'],
  'records.pois': ['Points d’intérêt du circuit', 'The circuit’s points of interest'],
  'records.theCircuit': ['Le circuit lui-même', 'The circuit itself'],
  'records.circuit': ['Circuit : {name}', 'Circuit: {name}'],
  'records.poi': ['Point d’intérêt : {name}', 'Point of interest: {name}'],
  'records.version': ['Version {version}', 'Version {version}'],
  'records.name': ['Nom', 'Name'],
  'records.summary': ['Résumé', 'Summary'],
  'records.description': ['Description', 'Description'],
  'records.nameEn': ['Nom en anglais', 'Name in English'],
  'records.summaryEn': ['Résumé en anglais', 'Summary in English'],
  'records.descriptionEn': ['Description en anglais', 'Description in English'],
  'records.practice': ['Pratique', 'Practice'],
  'records.difficulty': ['Difficulté', 'Difficulty'],
  'records.themes': ['Thèmes (séparés par des virgules)', 'Themes (comma-separated)'],
  'records.published': ['Publié', 'Published'],
  'records.kind': ['Type', 'Kind'],
  'records.lon': ['Longitude', 'Longitude'],
  'records.lat': ['Latitude', 'Latitude'],
  'records.edited': ['modifié à la main', 'edited by hand'],
  'records.yes': ['oui', 'yes'],
  'records.no': ['non', 'no'],
  'records.save': ['Enregistrer', 'Save'],
  'records.saved': ['Modifications enregistrées.', 'Changes saved.'],
  'records.nothing': ['Aucune modification à enregistrer.', 'No change to save.'],
  'records.forbidden': ['Modification refusée : {reason}', 'Change refused: {reason}'],
  'records.conflict': [
    'Cette fiche a été modifiée entre-temps : vos modifications ne sont pas enregistrées.',
    'This record was changed meanwhile: your changes are not saved.',
  ],
  'records.conflictCaption': ['Valeurs actuelles et les vôtres', 'Current values and yours'],
  'records.field': ['Champ', 'Field'],
  'records.current': ['Valeur actuelle', 'Current value'],
  'records.yours': ['Votre valeur', 'Your value'],
  'records.reapply': ['Reprendre mes modifications sur la version actuelle', 'Re-apply my changes to the current version'],
  'records.reload': ['Recharger la version actuelle', 'Reload the current version'],
  'records.history': ['Historique', 'History'],
  'records.noHistory': ['Aucune modification depuis l’import.', 'No change since the import.'],
  'records.hVersion': ['Version', 'Version'],
  'records.hWhen': ['Date', 'When'],
  'records.hWho': ['Par', 'By'],
  'records.hOrigin': ['Origine', 'Origin'],
  'records.hChanges': ['Changements', 'Changes'],
  'records.hAction': ['Action', 'Action'],
  'records.origin.edit': ['modification', 'edit'],
  'records.origin.revert': ['retour arrière', 'revert'],
  'records.origin.import': ['import', 'import'],
  'records.created': ['création', 'created'],
  'records.isCurrent': ['version actuelle', 'current version'],
  'records.revert': ['Revenir à cette version', 'Revert to this version'],
  'records.revertVersion': [' (version {version})', ' (version {version})'],
  'records.toSource': ['Revenir au texte de la source', 'Back to the source’s values'],
  'records.reverted': ['Version rétablie.', 'Version restored.'],

  // --- Back-office: points' search, details, practical texts, position, photos (admin/records.js)
  'records.poiSearch': ['Tous les points d’intérêt', 'All points of interest'],
  'records.poiName': ['Mots du nom', 'Words of the name'],
  'records.poiKind': ['Type de point', 'Kind of point'],
  'records.allKinds': ['Tous les types', 'All kinds'],
  'records.findPois': ['Chercher les points', 'Find points'],
  'records.noPoiFound': ['Aucun point d’intérêt ne correspond.', 'No point of interest matches.'],
  'records.range': ['{from}–{to} sur {total}', '{from}–{to} of {total}'],
  'records.previous': ['Précédents', 'Previous'],
  'records.next': ['Suivants', 'Next'],
  'records.group.position': ['Position', 'Position'],
  'records.group.details': ['Détails', 'Details'],
  'records.group.practical': ['Informations pratiques', 'Practical information'],
  'records.details.denomination': ['Dénomination', 'Denomination'],
  'records.details.period': ['Période', 'Period'],
  'records.details.dates': ['Dates', 'Dates'],
  'records.details.history': ['Historique du lieu', 'History of the place'],
  'records.details.protection': ['Protection', 'Protection'],
  'records.details.status': ['Statut juridique', 'Legal status'],
  'records.details.address': ['Adresse', 'Address'],
  'records.details.opening_hours': ['Horaires d’ouverture', 'Opening hours'],
  'records.details.phone': ['Téléphone', 'Phone'],
  'records.details.website': ['Site web', 'Website'],
  'records.details.wheelchair': ['Accès en fauteuil roulant', 'Wheelchair access'],
  'records.practical.access': ['Accès routier', 'Access by road'],
  'records.practical.parking': ['Stationnement', 'Parking'],
  'records.practical.public_transport': ['Transports en commun', 'Public transport'],
  'records.practical.best_season': ['Meilleure saison', 'Best season'],
  'records.practical.recommendations': ['Recommandations', 'Recommendations'],
  'records.practical.accessibility': ['Accessibilité', 'Accessibility'],
  'records.practical.steps': ['Itinéraire pas à pas (une étape par ligne)', 'Step-by-step directions (one step a line)'],
  'records.mapLabel': ['Position du point', 'Position of the point'],
  'records.mapHint': [
    'Faites glisser le repère ou cliquez sur la carte ; au clavier, modifiez la longitude et la latitude.',
    'Drag the marker or click on the map; with the keyboard, change the longitude and latitude.',
  ],
  'records.marker': ['Position du point (à faire glisser)', 'Position of the point (drag it)'],
  'records.media': ['Photos et médias', 'Photos and media'],
  'records.noMedia': ['Aucun média pour l’instant.', 'No media yet.'],
  'records.mediaAlt': ['Texte alternatif : {value}', 'Alt text: {value}'],
  'records.mediaAuthor': ['Auteur : {value}', 'Author: {value}'],
  'records.mediaLicense': ['Licence : {value}', 'Licence: {value}'],
  'records.addPhoto': ['Ajouter une photo', 'Add a photo'],
  'records.photoFile': ['Photo (JPEG, PNG ou WebP)', 'Photo (JPEG, PNG or WebP)'],
  'records.photoAlt': ['Texte alternatif (obligatoire)', 'Alt text (required)'],
  'records.photoAltHint': [
    'Décrivez ce que montre la photo pour qui ne la voit pas, en une phrase.',
    'Say in one sentence what the photo shows, for those who cannot see it.',
  ],
  'records.photoTitle': ['Titre', 'Title'],
  'records.photoAuthor': ['Auteur', 'Author'],
  'records.photoLicense': ['Licence', 'Licence'],
  'records.sendPhoto': ['Envoyer la photo', 'Upload the photo'],
  'records.photoMissing': ['Choisissez d’abord une photo.', 'Choose a photo first.'],
  'records.photoAltMissing': ['Le texte alternatif est obligatoire.', 'The alt text is required.'],
  'records.photoTooLarge': ['La photo dépasse la taille permise.', 'The photo is over the size allowed.'],
  'records.photoAdded': ['Photo ajoutée.', 'Photo added.'],

  // --- Back-office: imports (admin/imports.js)
  'imports.title': ['Imports', 'Imports'],
  'imports.file': ['Fichier à importer', 'File to import'],
  'imports.kind': ['Type de données', 'Kind of data'],
  'imports.kind.detect': ['Détecter', 'Detect'],
  'imports.kind.gpx': ['Circuit GPX', 'GPX circuit'],
  'imports.kind.circuits': ['Fiches de circuits', 'Circuit sheets'],
  'imports.kind.landscapes': ['Paysages', 'Landscapes'],
  'imports.kind.communes': ['Communes', 'Communes'],
  'imports.kind.ariane': ['Monuments historiques (Mérimée)', 'Historic monuments (Mérimée)'],
  'imports.kind.tourism': ['Offre touristique', 'Tourist offer'],
  'imports.kind.biodiversity': ['Biodiversité', 'Biodiversity'],
  'imports.analyse': ['Analyser le fichier', 'Analyse the file'],
  'imports.noFile': ['Choisissez d’abord un fichier.', 'Choose a file first.'],
  'imports.tooLarge': ['Le fichier dépasse la taille permise.', 'The file is over the size allowed.'],
  'imports.progress': ['{n} enregistrements lus', '{n} records read'],
  'imports.failedJob': ['L’analyse a échoué : {reason}', 'The analysis failed: {reason}'],
  'imports.planOf': ['Plan de l’import de {file}', 'Plan of the import of {file}'],
  'imports.count.create': ['Créations', 'Created'],
  'imports.count.update': ['Modifications', 'Updated'],
  'imports.count.unchanged': ['Inchangés', 'Unchanged'],
  'imports.count.delete': ['Absents du fichier', 'Gone from the file'],
  'imports.count.rejected': ['Rejetés', 'Rejected'],
  'imports.filter.status': ['Statut', 'Status'],
  'imports.filter.all': ['Tous', 'All'],
  'imports.filter.q': ['Rechercher', 'Search'],
  'imports.filter.commune': ['Commune', 'Commune'],
  'imports.filter.apply': ['Filtrer', 'Filter'],
  'imports.status.create': ['création', 'create'],
  'imports.status.update': ['modification', 'update'],
  'imports.status.unchanged': ['inchangé', 'unchanged'],
  'imports.status.delete': ['absent du fichier', 'gone from the file'],
  'imports.status.rejected': ['rejeté', 'rejected'],
  'imports.col.status': ['Statut', 'Status'],
  'imports.col.record': ['Enregistrement', 'Record'],
  'imports.col.commune': ['Commune', 'Commune'],
  'imports.col.detail': ['Détail', 'Detail'],
  'imports.col.choice': ['Choix', 'Choice'],
  'imports.records': ['Enregistrements du plan', 'Records of the plan'],
  'imports.noRecords': ['Aucun enregistrement ne correspond.', 'No record matches.'],
  'imports.new': ['Nouvel enregistrement', 'New record'],
  'imports.gone': ['Absent du fichier : supprimé seulement si coché', 'Gone from the file: deleted only when ticked'],
  'imports.fieldSep': [' : ', ': '],
  'imports.kept': ['la source a changé, votre modification est conservée', 'source changed, kept your edit'],
  'imports.rejection': ['Ligne {line}, colonne {column} ({field}) : {reason}', 'Line {line}, column {column} ({field}): {reason}'],
  'imports.exclude': ['Exclure', 'Exclude'],
  'imports.delete': ['Supprimer', 'Delete'],
  'imports.previous': ['Précédents', 'Previous'],
  'imports.next': ['Suivants', 'Next'],
  'imports.range': ['{from}–{to} sur {total}', '{from}–{to} of {total}'],
  'imports.commit': ['Valider l’import', 'Commit the import'],
  'imports.committed': ['Import validé par {who} le {when}.', 'Import committed by {who} on {when}.'],
  'imports.history': ['Derniers imports', 'Latest imports'],
  'imports.noJobs': ['Aucun import pour l’instant.', 'No import yet.'],
  'imports.col.file': ['Fichier', 'File'],
  'imports.col.kind': ['Type', 'Kind'],
  'imports.col.who': ['Par', 'By'],
  'imports.col.when': ['Date', 'When'],
  'imports.col.counts': ['Résultat', 'Result'],
  'imports.open': ['Ouvrir le plan', 'Open the plan'],
  'imports.job.queued': ['en attente', 'queued'],
  'imports.job.running': ['en cours', 'running'],
  'imports.job.planned': ['à valider', 'to commit'],
  'imports.job.committed': ['validé', 'committed'],
  'imports.job.failed': ['échec', 'failed'],
  'imports.scroll': ['Tableau défilant', 'Scrolling table'],
  'imports.filter.recordKind': ['Type d’enregistrement', 'Record kind'],
  'imports.recordKind.circuit': ['circuit', 'circuit'],
  'imports.recordKind.poi': ['point d’intérêt', 'point of interest'],
  'imports.recordKind.landscape': ['paysage', 'landscape'],
  'imports.recordKind.commune': ['commune', 'commune'],
  'imports.recordKind.observation': ['observation', 'observation'],
  'imports.excludeAll': ['Exclure tous ceux du filtre', 'Exclude all matching the filter'],
  'imports.excludedAll': ['Enregistrements exclus : {n}.', 'Records excluded: {n}.'],
  'imports.takeSource': ['Prendre la valeur de la source pour {field}', 'Take the source’s value for {field}'],
  'imports.report': ['Télécharger le rapport (CSV)', 'Download the report (CSV)'],

  // --- Back-office: accounts (admin/users.js)
  'users.title': ['Comptes', 'Accounts'],
  'users.list': ['Comptes du personnel', 'Staff accounts'],
  'users.none': ['Aucun compte.', 'No account.'],
  'users.col.email': ['Adresse e-mail', 'E-mail address'],
  'users.col.role': ['Rôle', 'Role'],
  'users.col.territory': ['Territoire', 'Territory'],
  'users.col.state': ['État', 'State'],
  'users.col.actions': ['Actions', 'Actions'],
  'users.active': ['actif', 'active'],
  'users.disabled': ['désactivé', 'disabled'],
  'users.disable': ['Désactiver', 'Disable'],
  'users.confirmDisable': ['Confirmer la désactivation de', 'Confirm disabling'],
  'users.cancel': ['Annuler', 'Cancel'],
  'users.disabledOne': ['Compte {email} désactivé : sa session est fermée.', 'Account {email} disabled: its session is closed.'],
  'users.addTitle': ['Ajouter un compte', 'Add an account'],
  'users.territory': ['Territoire (codes séparés par des virgules)', 'Territory (codes separated by commas)'],
  'users.territoryHint': [
    'Codes INSEE des communes ou SIREN des intercommunalités ; obligatoire pour un éditeur.',
    'INSEE codes of communes or SIREN codes of intercommunalities; required for an editor.',
  ],
  'users.passwordHint': ['Au moins 12 caractères.', 'At least 12 characters.'],
  'users.add': ['Ajouter le compte', 'Add the account'],
  'users.added': ['Compte {email} ajouté ({role}).', 'Account {email} added ({role}).'],

  // --- Back-office: moderation of the walkers' contributions (admin/moderation.js)
  'moderation.title': ['Modération', 'Moderation'],
  'moderation.counts': ['Contributions par type et par état', 'Contributions by kind and status'],
  'moderation.openQueue': ['File à traiter ({n})', 'Open queue ({n})'],
  'moderation.chip': ['{status} ({n})', '{status} ({n})'],
  'moderation.kinds.review': ['Avis', 'Reviews'],
  'moderation.kinds.report': ['Signalements', 'Reports'],
  'moderation.kinds.correction': ['Corrections', 'Corrections'],
  'moderation.kind': ['Type', 'Kind'],
  'moderation.allKinds': ['Tous les types', 'All kinds'],
  'moderation.kind.review': ['Avis', 'Review'],
  'moderation.kind.report': ['Signalement', 'Report'],
  'moderation.kind.correction': ['Correction', 'Correction'],
  'moderation.status': ['État', 'Status'],
  'moderation.filterStatus.open': ['File à traiter', 'Open queue'],
  'moderation.filterStatus.all': ['Tous les états', 'Every status'],
  'moderation.filterStatus.pending': ['En attente', 'Pending'],
  'moderation.filterStatus.flagged': ['Signalé', 'Flagged'],
  'moderation.filterStatus.published': ['Publié', 'Published'],
  'moderation.filterStatus.accepted': ['Accepté', 'Accepted'],
  'moderation.filterStatus.new': ['Nouveau', 'New'],
  'moderation.filterStatus.in_progress': ['En cours', 'In progress'],
  'moderation.filterStatus.resolved': ['Résolu', 'Resolved'],
  'moderation.filterStatus.rejected': ['Rejeté', 'Rejected'],
  'moderation.status.review.pending': ['en attente', 'pending'],
  'moderation.status.review.flagged': ['signalé', 'flagged'],
  'moderation.status.review.published': ['publié', 'published'],
  'moderation.status.review.rejected': ['rejeté', 'rejected'],
  'moderation.status.report.new': ['nouveau', 'new'],
  'moderation.status.report.in_progress': ['en cours', 'in progress'],
  'moderation.status.report.resolved': ['résolu', 'resolved'],
  'moderation.status.report.rejected': ['rejeté', 'rejected'],
  'moderation.status.correction.pending': ['en attente', 'pending'],
  'moderation.status.correction.accepted': ['acceptée', 'accepted'],
  'moderation.status.correction.rejected': ['rejetée', 'rejected'],
  'moderation.category': ['Catégorie (signalements)', 'Category (reports)'],
  'moderation.allCategories': ['Toutes les catégories', 'All categories'],
  'moderation.category.fallen_tree': ['Arbre tombé', 'Fallen tree'],
  'moderation.category.signage': ['Balisage ou panneau', 'Waymarks or signs'],
  'moderation.category.path_damage': ['Chemin abîmé', 'Damaged path'],
  'moderation.category.flooding': ['Inondation', 'Flooding'],
  'moderation.category.danger': ['Danger', 'Danger'],
  'moderation.category.litter': ['Déchets', 'Litter'],
  'moderation.category.other': ['Autre', 'Other'],
  'moderation.circuit': ['Circuit (identifiant)', 'Trail (id)'],
  'moderation.commune': ['Commune (code INSEE)', 'Commune (INSEE code)'],
  'moderation.filters': ['Filtres', 'Filters'],
  'moderation.apply': ['Filtrer', 'Filter'],
  'moderation.list': ['Contributions', 'Contributions'],
  'moderation.range': ['{from}–{to} sur {total}', '{from}–{to} of {total}'],
  'moderation.none': ['Aucune contribution ne correspond.', 'No contribution matches.'],
  'moderation.previous': ['Précédent', 'Previous'],
  'moderation.next': ['Suivant', 'Next'],
  'moderation.selectAll': ['Tout sélectionner', 'Select all'],
  'moderation.select': ['Sélectionner : {name}', 'Select: {name}'],
  'moderation.publishSelection': ['Publier la sélection', 'Publish the selection'],
  'moderation.rejectSelection': ['Rejeter la sélection', 'Reject the selection'],
  'moderation.nothingSelected': ['Aucune contribution sélectionnée.', 'No contribution selected.'],
  'moderation.bulkDone': ['Traitées : {done}. Échecs : {failed}.', 'Done: {done}. Failed: {failed}.'],
  'moderation.bulkFailure': ['{name} : {error}', '{name}: {error}'],
  'moderation.decided': ['{name} : {status}.', '{name}: {status}.'],
  'moderation.publish': ['Publier', 'Publish'],
  'moderation.accept': ['Accepter', 'Accept'],
  'moderation.reject': ['Rejeter', 'Reject'],
  'moderation.newStatus': ['Nouvel état', 'New status'],
  'moderation.update': ['Mettre à jour', 'Update'],
  'moderation.history': ['Historique', 'History'],
  'moderation.noLog': ['Aucune décision pour l’instant.', 'No decision yet.'],
  'moderation.col.when': ['Date', 'When'],
  'moderation.col.who': ['Par', 'By'],
  'moderation.col.decision': ['Décision', 'Decision'],
  'moderation.col.change': ['État', 'Status'],
  'moderation.decision.publish': ['publier', 'publish'],
  'moderation.decision.reject': ['rejeter', 'reject'],
  'moderation.decision.in_progress': ['en cours', 'in progress'],
  'moderation.decision.resolved': ['résolu', 'resolved'],
  'moderation.decision.new': ['nouveau', 'new'],
  'moderation.decision.flag': ['signalement', 'flag'],
  'moderation.walker': ['un randonneur', 'a walker'],
  'moderation.received': ['Reçu le {date}', 'Received on {date}'],
  'moderation.updated': ['mis à jour le {date}', 'updated on {date}'],
  'moderation.state': ['État : {status}', 'Status: {status}'],
  'moderation.onCircuit': ['Circuit : {name}', 'Trail: {name}'],
  'moderation.reviewTitle': ['Avis de {name}', 'Review by {name}'],
  'moderation.rating': ['Note : {n} sur 5', 'Rating: {n} out of 5'],
  'moderation.flags': ['Signalé {n} fois par des randonneurs', 'Flagged {n} times by walkers'],
  'moderation.flagReasons': ['Motifs donnés :', 'Reasons given:'],
  'moderation.correctionOf.name': ['Correction du nom de « {target} »', 'Correction of the name of “{target}”'],
  'moderation.correctionOf.description': ['Correction de la description de « {target} »', 'Correction of the description of “{target}”'],
  'moderation.target': ['Fiche : {target}', 'Record: {target}'],
  'moderation.current': ['Valeur actuelle', 'Current value'],
  'moderation.proposed': ['Texte proposé', 'Proposed text'],
  'moderation.reportTitle': ['Signalement : {category}', 'Report: {category}'],
  'moderation.position': ['Position : {lat}, {lon}', 'Position: {lat}, {lon}'],
  'moderation.communeCode': ['Commune (INSEE) : {code}', 'Commune (INSEE): {code}'],
  'moderation.contactYes': ['Le randonneur a laissé un moyen de le recontacter.', 'The walker left a way to contact them.'],
  'moderation.contactNo': ['Aucun contact laissé.', 'No contact left.'],
  'moderation.photo': ['Photo {n} jointe : {name}', 'Photo {n} attached: {name}'],
  'moderation.map': ['Carte des signalements de cette page', 'Map of this page’s reports'],
  'moderation.located': ['Signalements de cette page sur la carte : {n}.', 'Reports of this page on the map: {n}.'],
  'moderation.mapUnavailable': ['La carte n’a pas pu être chargée.', 'The map could not be loaded.'],
  'moderation.export': ['Exporter les signalements (filtres en cours)', 'Export the reports (current filters)'],
  'moderation.exportGeojson': ['Exporter GeoJSON', 'Export GeoJSON'],
  'moderation.exportCsv': ['Exporter CSV', 'Export CSV'],

  // --- Back-office: embedding the widget on a site (admin/embed.js)
  'embed.title': ['Intégrer sur votre site', 'Embed on your website'],
  'embed.intro': [
    'Choisissez les circuits à montrer, vérifiez l’aperçu, puis copiez le code dans une page de votre site.',
    'Choose the circuits to show, check the preview, then copy the code into a page of your website.',
  ],
  'embed.communes': ['Communes', 'Communes'],
  'embed.communesHint': [
    'Les communes qui ont des circuits. Aucune choisie : tous les circuits. Ctrl ou Maj pour en choisir plusieurs.',
    'The communes that have circuits. None chosen: every circuit. Ctrl or Shift to choose several.',
  ],
  'embed.codes': ['Ou codes INSEE des communes', 'Or INSEE codes of the communes'],
  'embed.codesHint': ['Séparés par des virgules, par exemple 77379, 77186.', 'Separated by commas, for example 77379, 77186.'],
  'embed.theme': ['Thème', 'Theme'],
  'embed.difficulty': ['Difficulté', 'Difficulty'],
  'embed.lang': ['Langue du widget', 'Language of the widget'],
  'embed.limit': ['Nombre de circuits au plus', 'Number of circuits at most'],
  'embed.any': ['Tous', 'Any'],
  'embed.preview': ['Aperçu', 'Preview'],
  'embed.codeTitle': ['Code à copier', 'Code to copy'],
  'embed.scriptCode': ['Code du widget (script et élément)', 'Code of the widget (script and element)'],
  'embed.iframeCode': ['Ou, si votre site n’accepte pas de script : une iframe', 'Or, if your website takes no script: an iframe'],
  'embed.copy': ['Copier le code', 'Copy the code'],
  'embed.copyIframe': ['Copier le code de l’iframe', 'Copy the iframe code'],
  'embed.copied': ['Code copié.', 'Code copied.'],
  'embed.copyFailed': ['Copie impossible : le code est sélectionné, copiez-le à la main.', 'Could not copy: the code is selected, copy it by hand.'],
  'embed.frameTitle': ['Balades et randonnées', 'Walks and hikes'],
  'embed.widgetFailed': ['Le widget n’a pas pu être chargé.', 'The widget could not be loaded.'],

  // --- Back-office: the map of an import plan (admin/plan-map.js)
  'plan.map': ['Carte des enregistrements du plan', 'Map of the plan’s records'],
  'plan.legend': ['Légende :', 'Key:'],
  'plan.located': ['{n} des {total} enregistrements de cette page sont sur la carte.', '{n} of the {total} records of this page are on the map.'],
  'plan.unavailable': ['La carte n’a pas pu être chargée.', 'The map could not be loaded.'],

  // --- Open-data page (donnees.html, data.js)
  'data.title': ['Données ouvertes', 'Open data'],
  'data.description': [
    'Les données ouvertes de Balade : circuits de randonnée à télécharger.',
    'Balade’s open data: hiking trails to download.',
  ],
  'data.intro': [
    'Tous les circuits publiés, à télécharger librement dans plusieurs formats.',
    'Every published trail, free to download in several formats.',
  ],
  'data.caption': ['Fichiers publiés', 'Published files'],
  'data.colFormat': ['Format', 'Format'],
  'data.colFile': ['Fichier', 'File'],
  'data.colSize': ['Taille', 'Size'],
  'data.colDate': ['Mis à jour le', 'Updated on'],
  'data.download': ['Télécharger ({name})', 'Download ({name})'],
  'data.format.geojson': ['GeoJSON', 'GeoJSON'],
  'data.format.gpx': ['GPX', 'GPX'],
  'data.format.csv': ['CSV', 'CSV'],
  'data.format.schema-randonnee': [
    'Schéma national des itinéraires de randonnée',
    'French national hiking trail schema',
  ],
  'data.licenceTitle': ['Licence', 'Licence'],
  'data.licence': ['Ces données sont publiées sous la licence', 'These data are published under the licence'],
  'data.filtersTitle': ['Filtrer par territoire', 'Filter by area'],
  'data.filters': [
    'Chaque adresse accepte les filtres ?commune= (code INSEE ou nom) et ?intercommunality= (SIREN ou nom).',
    'Each URL takes the filters ?commune= (INSEE code or name) and ?intercommunality= (SIREN or name).',
  ],
  'data.example': ['Exemple, les circuits de Provins :', 'For example, the trails of Provins:'],
  'data.back': ['Retour aux circuits', 'Back to the trails'],

  // --- Contributions: list sort, reviews, corrections, trail reports, outbox
  'list.sort': ['Trier par', 'Sort by'],
  'list.sortRelevance': ['Pertinence', 'Relevance'],
  'list.sortRating': ['Note', 'Rating'],
  'list.sortDuration': ['Durée', 'Duration'],
  'list.sortLength': ['Longueur', 'Length'],
  'form.send': ['Envoyer', 'Send'],
  'form.cancel': ['Annuler', 'Cancel'],
  'form.photos': ['Photos (facultatif)', 'Photos (optional)'],
  'form.photosHint': ['{n} au plus', 'Up to {n}'],
  'form.tooManyPhotos': ['{n} photos au plus.', 'Up to {n} photos.'],
  'form.notStored': ['Impossible d’enregistrer sur le téléphone : {msg}', 'Could not save on the phone: {msg}'],
  'review.section': ['Avis', 'Reviews'],
  'review.ratingSpoken': ['Noté {avg} sur 5, {n} avis', 'Rated {avg} out of 5, {n} reviews'],
  'review.noRating': ['Pas encore d’avis.', 'No reviews yet.'],
  'review.loading': ['Chargement des avis…', 'Loading reviews…'],
  'review.none': ['Aucun avis publié pour ce circuit.', 'No published review for this trail.'],
  'review.unavailable': ['Avis indisponibles pour le moment.', 'Reviews unavailable for now.'],
  'review.star': ['{n} étoile sur 5', '{n} star out of 5'],
  'review.stars': ['{n} étoiles sur 5', '{n} stars out of 5'],
  'review.photoAlt': ['Photo {n} de l’avis de {name}', 'Photo {n} of the review by {name}'],
  'review.flag': ['Signaler cet avis', 'Report this review'],
  'review.flagNamed': ['Signaler cet avis de {name}', 'Report this review by {name}'],
  'review.flagged': ['Avis signalé', 'Review reported'],
  'review.open': ['Donner votre avis', 'Write a review'],
  'review.formLabel': ['Votre avis sur {name}', 'Your review of {name}'],
  'review.rating': ['Votre note', 'Your rating'],
  'review.text': ['Votre avis (facultatif)', 'Your review (optional)'],
  'review.textHint': ['2 000 caractères au plus', 'Up to 2,000 characters'],
  'review.name': ['Nom affiché', 'Display name'],
  'review.nameHint': ['Publié avec votre avis', 'Published with your review'],
  'review.noName': ['Indiquez le nom à afficher.', 'Enter the name to display.'],
  'review.moderated': ['Votre avis sera publié après relecture.', 'Your review will be published once checked.'],
  'correction.open': ['Suggérer une correction', 'Suggest a correction'],
  'correction.openNamed': ['Suggérer une correction : {name}', 'Suggest a correction: {name}'],
  'correction.formLabel': ['Correction de {name}', 'Correction of {name}'],
  'correction.field': ['À corriger', 'What to correct'],
  'correction.fieldName': ['Nom', 'Name'],
  'correction.fieldDescription': ['Description', 'Description'],
  'correction.text': ['Texte proposé', 'Proposed text'],
  'correction.empty': ['Écrivez le texte proposé.', 'Write the proposed text.'],
  'report.open': ['Signaler un problème', 'Report a problem'],
  'report.formLabel': ['Signaler un problème sur le parcours', 'Report a problem on the trail'],
  'report.category': ['Problème', 'Problem'],
  'report.cat.fallen_tree': ['Arbre tombé', 'Fallen tree'],
  'report.cat.signage': ['Balisage absent ou erroné', 'Missing or wrong waymarking'],
  'report.cat.path_damage': ['Chemin érodé ou abîmé', 'Eroded or damaged path'],
  'report.cat.flooding': ['Inondation', 'Flooding'],
  'report.cat.danger': ['Danger', 'Danger'],
  'report.cat.litter': ['Déchets', 'Litter'],
  'report.cat.other': ['Autre', 'Other'],
  'report.message': ['Description du problème', 'Description of the problem'],
  'report.email': ['E-mail (facultatif)', 'E-mail (optional)'],
  'report.emailHint': ['Pour être prévenu quand il est traité', 'To be told when it is dealt with'],
  'report.position': ['Où ?', 'Where?'],
  'report.myPosition': ['Ma position actuelle', 'My current location'],
  'report.lastFix': ['Ma dernière position connue', 'My last known location'],
  'report.onMap': ['Choisir sur la carte', 'Choose on the map'],
  'report.locating': ['Recherche de votre position…', 'Finding your location…'],
  'report.noPosition': ['Position inconnue : choisissez le lieu sur la carte.', 'Location unknown: choose the place on the map.'],
  'report.noMap': ['Carte indisponible.', 'Map unavailable.'],
  'report.tapMap': ['Touchez la carte à l’endroit du problème.', 'Tap the map where the problem is.'],
  'report.placeAt': ['Lieu : {lat}, {lon}', 'Place: {lat}, {lon}'],
  'report.status.new': ['reçu', 'received'],
  'report.status.in_progress': ['en cours de traitement', 'being dealt with'],
  'report.status.resolved': ['traité', 'resolved'],
  'report.status.rejected': ['non retenu', 'dismissed'],
  'report.statusUnknown': ['état inconnu (hors ligne ?)', 'status unknown (offline?)'],
  'outbox.panel': ['Vos contributions', 'Your contributions'],
  'outbox.waiting': ['En attente d’envoi ({n})', 'Waiting to be sent ({n})'],
  'outbox.sendNow': ['Réessayer l’envoi', 'Try sending again'],
  'outbox.kind.review': ['Avis', 'Review'],
  'outbox.kind.flag': ['Signalement d’avis', 'Review report'],
  'outbox.kind.report': ['Signalement de problème', 'Problem report'],
  'outbox.kind.correction': ['Correction', 'Correction'],
  'outbox.savedOffline': [
    'Enregistré sur le téléphone, sera envoyé au retour du réseau.',
    'Saved on the phone, will be sent when the network is back.',
  ],
  'outbox.sent.review': ['Avis envoyé : il sera publié après relecture.', 'Review sent: it will be published once checked.'],
  'outbox.sent.flag': ['Signalement de l’avis envoyé. Merci.', 'Report of the review sent. Thank you.'],
  'outbox.sent.report': ['Signalement envoyé. Merci.', 'Problem report sent. Thank you.'],
  'outbox.sent.correction': ['Suggestion envoyée : elle sera relue.', 'Suggestion sent: it will be checked.'],
  'outbox.sentMany': ['Contributions envoyées : {n}.', 'Contributions sent: {n}.'],
  'outbox.refused': ['Non accepté ({kind}, {label}) : {msg}', 'Not accepted ({kind}, {label}): {msg}'],
  'outbox.dismiss': ['J’ai compris', 'OK'],
  'outbox.mine': ['Mes signalements ({n})', 'My reports ({n})'],
};

/** Texts by language: MESSAGES.fr[key], MESSAGES.en[key]. */
export const MESSAGES = Object.fromEntries(
  LANGS.map((lang, i) => [lang, Object.fromEntries(Object.entries(ENTRIES).map(([k, v]) => [k, v[i]]))]),
);

let current = DEFAULT_LANG;
/** @type {Set<(lang: string) => void>} */
const listeners = new Set();

/** The current language ('fr' or 'en'). */
export function getLang() {
  return current;
}

/** BCP 47 locale of the current language, for Intl and speech. */
export function getLocale() {
  return current === 'en' ? 'en-GB' : 'fr-FR';
}

/** @typedef {Record<string, string|number>} TextParams */

/**
 * Replaces `{name}` by params.name (left as is when absent).
 * @param {string} text
 * @param {TextParams} [params]
 */
export function format(text, params) {
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (m, name) => (Object.hasOwn(params, name) ? String(params[name]) : m));
}

/**
 * The text of `key` in the current language (French, then the key itself, as fallbacks).
 * @param {string} key
 * @param {TextParams} [params]
 */
export function t(key, params) {
  const text = MESSAGES[current]?.[key] ?? MESSAGES[DEFAULT_LANG][key] ?? key;
  return format(text, params);
}

/**
 * First of fr/en among the preferred languages (['en-GB', 'fr'] → 'en'), else fr.
 * @param {readonly (string|null|undefined)[] | undefined} languages
 */
export function detectLang(languages) {
  for (const tag of Array.isArray(languages) ? languages : []) {
    const base = String(tag || '').toLowerCase().split(/[-_]/)[0];
    if (LANGS.includes(base)) return base;
  }
  return DEFAULT_LANG;
}

function storage() {
  try {
    return typeof window !== 'undefined' ? window.localStorage : null;
  } catch {
    return null;
  }
}

/** Sets the language (without saving it); listeners are told when it changes. @param {string} lang */
export function setLang(lang) {
  const next = LANGS.includes(lang) ? lang : DEFAULT_LANG;
  if (next === current) return;
  current = next;
  for (const fn of listeners) fn(current);
}

/** Sets and saves the user's choice. @param {string} lang */
export function chooseLang(lang) {
  setLang(lang);
  try {
    storage()?.setItem(STORAGE_KEY, current);
  } catch {
    // Private mode: the choice lasts for the page only.
  }
}

/** Browser start-up: the saved choice, else the browser's preferred languages. */
export function initLang() {
  let saved = null;
  try {
    saved = storage()?.getItem(STORAGE_KEY) ?? null;
  } catch {
    saved = null;
  }
  if (saved !== null && LANGS.includes(saved)) setLang(saved);
  else {
    const nav = typeof navigator !== 'undefined' ? navigator : {};
    setLang(detectLang(nav.languages?.length ? nav.languages : [nav.language]));
  }
  return current;
}

/** Calls fn(lang) after each change of language; returns the unsubscribe function. @param {(lang: string) => void} fn */
export function onLangChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

#!/bin/sh
# gen-import.sh - writes the two files the import benchmark times:
#   DIR/sessions-500.csv    500 sessions, December 2026 to spring 2027
#   DIR/agents-10000.csv    10,000 agents of a town hall
# Usage: bench/gen-import.sh DIR [--excel]
#
# Deterministic (same bytes every run), plain POSIX sh + awk (mawk is fine).
# The data looks like what a coordinator imports: French titles, accents,
# values holding commas and quotes, multi-line quoted descriptions, optional
# columns left empty, trainers written "Name <address>", RFC 4180 CRLF.
# --excel writes what French Excel/LibreOffice save instead: a UTF-8 BOM and
# ';' separators.
set -eu

usage() {
	echo "usage: $0 DIR [--excel]" >&2
	exit 2
}
[ $# -ge 1 ] || usage
dir=$1
excel=0
[ $# -ge 2 ] && { [ "$2" = --excel ] || usage; excel=1; }
mkdir -p "$dir"

awk -v excel="$excel" -v out="$dir/sessions-500.csv" '
function q(s) {		# RFC 4180 quoting, as src/csv.c writes
	if (s ~ /[,;"\r\n]/ || s ~ /^[ \t]/ || s ~ /[ \t]$/) {
		gsub(/"/, "\"\"", s)
		return "\"" s "\""
	}
	return s
}
function row(a, n,   i, line) {
	line = q(a[1])
	for (i = 2; i <= n; i++)
		line = line sep q(a[i])
	printf "%s\r\n", line > out
}
# Deterministic pseudo-random numbers (Park-Miller), the same in any awk.
function rnd(n) {
	seed = (seed * 16807) % 2147483647	# exact in doubles
	return seed % n
}
BEGIN {
	seed = 20261130
	sep = excel ? ";" : ","
	if (excel)
		printf "\357\273\277" > out

	ntracks = split("Un truc en plus|Conférence|Préparation concours|" \
	    "Développement durable", track, "|")
	split("plus|conf|concours|dd", prefix, "|")
	nt[1] = split("Le tableur sans peur|Écrire un courrier clair|" \
	    "Les raccourcis clavier qui changent la vie|" \
	    "Tableur : les \"tableaux croisés\", enfin simples|" \
	    "Prendre la parole en réunion|Gérer ses courriels, ses dossiers|" \
	    "Initiation à la photo numérique|Premiers secours : les bons gestes|" \
	    "Organiser son agenda partagé|Le B.A.-BA de la visioconférence", \
	    t1, "|")
	nt[2] = split("L\047intelligence artificielle au service public|" \
	    "Histoire de la commune, de 1789 à nos jours|" \
	    "La laïcité au quotidien|Santé au travail : le dos|" \
	    "Cybersécurité : reconnaître un courriel piégé|" \
	    "Le budget communal expliqué|Égalité femmes-hommes au travail|" \
	    "Accueillir le public en situation de handicap", t2, "|")
	nt[3] = split("Rédacteur territorial : la note de synthèse|" \
	    "Attaché : l\047oral d\047entretien|Adjoint administratif : QCM|" \
	    "Technicien : le rapport technique|Culture générale, méthode|" \
	    "Animateur : préparer l\047épreuve orale|Mathématiques, remise à niveau",
	    t3, "|")
	nt[4] = split("Zéro déchet au bureau|Le tri, ça s\047apprend|" \
	    "Économies d\047énergie dans les bâtiments|Jardiner sans pesticides|" \
	    "Mobilité douce : le vélo au travail|La fresque du climat|" \
	    "Achats publics responsables|Réparer plutôt que jeter", t4, "|")
	nplaces = split("Salle du conseil|Salle 3, mairie annexe|" \
	    "Médiathèque François-Mitterrand|Maison des associations|" \
	    "Centre technique municipal|Salle des mariages|" \
	    "Visioconférence (lien envoyé la veille)|École Jules-Ferry, préau|" \
	    "Hôtel de ville, 2e étage", place, "|")
	ntrainers = split("Jean Dupont <jean.dupont@ville.example>|" \
	    "\"Martin, Élodie\" <Elodie.Martin@Ville.example>|" \
	    "sophie.bernard@ville.example|" \
	    "Karim Benali <karim.benali@ville.example>|" \
	    "Chloé Lefèvre <chloe.lefevre@cdg.example>||||", trainer, "|")

	h[1] = "code"; h[2] = "title"; h[3] = "track"; h[4] = "start"
	h[5] = "end"; h[6] = "place"; h[7] = "capacity"; h[8] = "trainer"
	h[9] = "description"
	row(h, 9)

	split("31 28 31 30 31 30 31 31 30 31 30 31", mdays, " ")
	y = 2026; m = 12; d = 1; wday = 2	# Tuesday 1 December 2026
	slot = 0
	for (i = 1; i <= 500; ) {
		if (wday >= 1 && wday <= 5) {
			for (s = 0; s < 4 && i <= 500; s++) {
				k = 1 + rnd(ntracks)
				if (k == 1) title = t1[1 + rnd(nt[1])]
				else if (k == 2) title = t2[1 + rnd(nt[2])]
				else if (k == 3) title = t3[1 + rnd(nt[3])]
				else title = t4[1 + rnd(nt[4])]
				hour = (s % 2 == 0) ? 9 : 14
				if (s >= 2)
					hour += 1
				len = 1 + rnd(3)
				r[1] = sprintf("%s-%03d", prefix[k], i)
				r[2] = title
				r[3] = track[k]
				r[4] = sprintf("%04d-%02d-%02d %02d:%02d", y, m, d,
				    hour, s == 3 ? 30 : 0)
				r[5] = sprintf("%04d-%02d-%02d %02d:%02d", y, m, d,
				    hour + len, s == 3 ? 30 : 0)
				r[6] = place[1 + rnd(nplaces)]
				r[7] = 8 + rnd(33)
				r[8] = trainer[1 + rnd(ntrainers)]
				c = rnd(4)
				if (c == 0)
					r[9] = ""
				else if (c == 1)
					r[9] = "Apportez votre ordinateur portable si vous en avez un."
				else if (c == 2)
					r[9] = "Séance " i " du parcours « " track[k] " ».\n" \
					    "Au programme :\n- un point théorique ;\n" \
					    "- des exercices pratiques, en binôme.\n\n" \
					    "Inscription validée par votre responsable."
				else
					r[9] = "Prérequis : aucun. Durée : " len " h. " \
					    "Le support « " title " » sera envoyé après la séance."
				row(r, 9)
				i++
			}
		}
		wday = (wday + 1) % 7
		dim = mdays[m] + (m == 2 && y % 4 == 0)
		if (++d > dim) {
			d = 1
			if (++m > 12) {
				m = 1
				y++
			}
		}
	}
}' </dev/null

awk -v excel="$excel" -v out="$dir/agents-10000.csv" '
function q(s) {
	if (s ~ /[,;"\r\n]/ || s ~ /^[ \t]/ || s ~ /[ \t]$/) {
		gsub(/"/, "\"\"", s)
		return "\"" s "\""
	}
	return s
}
function rnd(n) {
	seed = (seed * 16807) % 2147483647	# exact in doubles
	return seed % n
}
BEGIN {
	seed = 10000
	sep = excel ? ";" : ","
	if (excel)
		printf "\357\273\277" > out
	# Display form and the ASCII form used in addresses.
	nf = split("Jean:jean|Élodie:elodie|Karim:karim|Chloé:chloe|" \
	    "Marie:marie|Thomas:thomas|Léa:lea|Nicolas:nicolas|Inès:ines|" \
	    "François:francois|Camille:camille|Hélène:helene|Mohamed:mohamed|" \
	    "Sophie:sophie|Julien:julien|Aurélie:aurelie|Pierre:pierre|" \
	    "Fatima:fatima|Jérôme:jerome|Nathalie:nathalie|Stéphane:stephane|" \
	    "Isabelle:isabelle|Laurent:laurent|Océane:oceane|Noël:noel|" \
	    "Anaïs:anais|Frédéric:frederic|Sandrine:sandrine|Yannick:yannick|" \
	    "Zoé:zoe|Benoît:benoit|Gaëlle:gaelle|Rémi:remi|Agnès:agnes|" \
	    "Cédric:cedric|Maëlle:maelle|Hugo:hugo|Manon:manon|Éric:eric|" \
	    "Véronique:veronique|Grégory:gregory|Céline:celine|Amine:amine|" \
	    "Sylvie:sylvie|Loïc:loic|Emma:emma|Joël:joel|Myriam:myriam|" \
	    "Thierry:thierry|Valérie:valerie", first, "|")
	nl = split("Martin:martin|Bernard:bernard|Dubois:dubois|" \
	    "Thomas:thomas|Robert:robert|Richard:richard|Petit:petit|" \
	    "Durand:durand|Leroy:leroy|Moreau:moreau|Simon:simon|" \
	    "Laurent:laurent|Lefèvre:lefevre|Michel:michel|Garcia:garcia|" \
	    "David:david|Bertrand:bertrand|Roux:roux|Vincent:vincent|" \
	    "Fournier:fournier|Morel:morel|Girard:girard|André:andre|" \
	    "Mercier:mercier|Dupont:dupont|Lambert:lambert|Bonnet:bonnet|" \
	    "François:francois|Martinez:martinez|Legrand:legrand|" \
	    "Garnier:garnier|Faure:faure|Rousseau:rousseau|Blanc:blanc|" \
	    "Guérin:guerin|Muller:muller|Henry:henry|Roussel:roussel|" \
	    "Nicolas:nicolas|Perrin:perrin|Morin:morin|Mathieu:mathieu|" \
	    "Clément:clement|Gauthier:gauthier|Dumont:dumont|Lopez:lopez|" \
	    "Fontaine:fontaine|Chevalier:chevalier|Robin:robin|Masson:masson|" \
	    "Benali:benali|Nguyen:nguyen|Da Silva:dasilva|Le Gall:legall|" \
	    "N\047Diaye:ndiaye|Saint-Martin:saint-martin|Hoarau:hoarau|" \
	    "Boyer:boyer|Colin:colin|Meyer:meyer", last, "|")
	ns = split("Voirie|État civil|Direction des finances|Médiathèque|" \
	    "Espaces verts|Ressources humaines|Petite enfance|" \
	    "Police municipale|Urbanisme|Sports|Culture|" \
	    "Systèmes d\047information|Restauration scolaire|" \
	    "Centre communal d\047action sociale|Propreté urbaine|" \
	    "Bâtiments, maintenance|Affaires scolaires|Communication|" \
	    "Accueil, standard|Eau et assainissement", service, "|")
	printf "email%sname%sservice%smanager\r\n", sep, sep, sep > out
	combos = nf * nl
	for (i = 0; i < 10000; i++) {
		split(first[1 + i % nf], fn, ":")
		split(last[1 + int(i / nf) % nl], ln, ":")
		n = int(i / combos)
		email = fn[2] "." ln[2] (n ? n + 1 : "") "@ville.example"
		name = fn[1] " " ln[1]
		s = 1 + rnd(ns)
		svc = rnd(20) ? service[s] : ""
		# The first agent of each service manages it.
		if (!(s in boss)) {
			boss[s] = email
			mgr = ""
		} else
			mgr = rnd(10) ? boss[s] : ""
		if (svc == "")
			mgr = ""
		printf "%s%s%s%s%s%s%s\r\n", q(email), sep, q(name), sep,
		    q(svc), sep, q(mgr) > out
	}
}' </dev/null

echo "$dir/sessions-500.csv $dir/agents-10000.csv"
